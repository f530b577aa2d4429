// The program's logo in the pages' bar: the operator's own once uploaded,
// else the pages' mark, which also stays when the logo cannot be loaded.

// showLogo puts the operator's logo, as GET /v1/program names it, in place
// of the mark in the bar, once it has loaded: a logo that fails leaves the
// mark as it was.
export function showLogo(program) {
  const img = document.querySelector(".brand img");
  const url = operatorLogo(program);
  if (!img || !url || img.getAttribute("src") === url) return;
  const probe = new Image();
  probe.addEventListener("load", () => {
    img.src = url;
    img.classList.add("logo");
  });
  probe.src = url;
}

// operatorLogo is the path of the operator's logo, "" while there is none:
// only an uploaded logo's URL names its version (v); without it the URL is
// the card's own mark. The path is taken on this page's origin, the API's.
function operatorLogo(program) {
  try {
    const u = new URL(program?.logo ?? "", location.href);
    return u.searchParams.has("v") ? u.pathname + u.search : "";
  } catch {
    return "";
  }
}
