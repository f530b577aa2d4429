// call sends one request to the API and sorts the answer into what a page
// needs to decide: done (ok), refused (code, detail), or unknown (retry) —
// no answer, or a server error, after which the request may or may not have
// taken effect, so the page sends the very same request again.
//
// json is the body already serialized, so a retry sends the same bytes; key
// is the Idempotency-Key; timeout (ms), when given, is how long an answer is
// awaited before it counts as none.
export async function call(method, path, { token, json, key, timeout } = {}) {
  const headers = { Accept: "application/json" };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  if (key) headers["Idempotency-Key"] = key;
  let res;
  let data = null;
  try {
    const signal = timeout ? AbortSignal.timeout(timeout) : undefined;
    res = await fetch(path, { method, headers, body: json, cache: "no-store", signal });
    data = await res.json();
  } catch {
    if (!res || res.ok) return { ok: false, retry: true, status: res?.status ?? 0 };
  }
  const answer = { ok: res.ok, status: res.status, data, replayed: res.headers.get("Idempotent-Replayed") === "true" };
  if (!res.ok) {
    answer.code = data?.code ?? "";
    answer.detail = data?.detail ?? "";
    answer.retry = res.status >= 500 || res.status === 408 || res.status === 429;
  }
  return answer;
}

// newKey is a fresh idempotency key (a UUID v4). crypto.randomUUID is only
// there on secure pages; a phone on the shop's Wi-Fi may open plain http.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
