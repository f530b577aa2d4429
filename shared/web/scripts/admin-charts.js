// The console's charts, drawn by Charts.css (assets/charts.css): each chart
// is a real data table — caption, a header cell for each row, a cell for
// each figure — which the style sheet draws as columns, bars or an area. A
// screen reader reads the table as any other, and the figures hidden on a
// crowded chart stay in it (Charts.css hides them visually only). The
// sizes are set through the CSS object model, which the pages'
// Content-Security-Policy allows, unlike style attributes.
import { t, formatNumber } from "./i18n.js";

// chart builds a figure: kind is "column", "bar" or "area"; labels name the
// rows; series are {name, values} with a value for each label.
export function chart({ id, kind, title, labels, series }) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const crowded = labels.length > 12;
  // A label on every step-th row only, so that they never overlap.
  const step = Math.ceil(labels.length / (kind === "bar" ? labels.length : 8));
  const classes = ["charts-css", kind, "show-labels", "show-primary-axis", "show-4-secondary-axes", "data-spacing-" + (crowded ? 1 : 4)];
  if (series.length > 1) classes.push("multiple");
  if (crowded || kind === "area") classes.push("hide-data");
  if (kind === "bar") classes.push("labels-align-start");

  const table = document.createElement("table");
  table.id = id;
  table.className = classes.join(" ");
  if (kind === "bar") table.style.setProperty("height", `${labels.length * 2.25}rem`);
  const summary = id + "-summary";
  table.setAttribute("aria-describedby", summary);
  table.createCaption().textContent = title;
  const head = table.createTHead().insertRow();
  for (const h of [t("chart.label"), ...series.map((s) => s.name)]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  labels.forEach((label, i) => {
    const row = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = label;
    if (i % step !== 0) th.className = "hide-label";
    row.append(th);
    for (const s of series) {
      const cell = row.insertCell();
      const v = s.values[i];
      if (kind === "area") {
        cell.style.setProperty("--start", String((s.values[i - 1] ?? v) / max));
        cell.style.setProperty("--end", String(v / max));
      } else {
        cell.style.setProperty("--size", String(v / max));
      }
      const data = document.createElement("span");
      data.className = "data";
      data.textContent = formatNumber(v);
      cell.append(data);
    }
  });

  const figure = document.createElement("figure");
  figure.className = "chart chart-" + kind;
  // The title shows as a heading; the caption (Charts.css hides it) names
  // the table for a screen reader.
  const heading = document.createElement("h2");
  heading.textContent = title;
  heading.setAttribute("aria-hidden", "true");
  figure.append(heading, table);
  if (series.length > 1) {
    const legend = document.createElement("ul");
    legend.className = "chart-legend";
    legend.setAttribute("aria-hidden", "true"); // the table's header says it
    for (const s of series) legend.append(Object.assign(document.createElement("li"), { textContent: s.name }));
    figure.append(legend);
  }
  const p = document.createElement("p");
  p.id = summary;
  p.className = "chart-summary";
  const figures = series.map((s) => t(kind === "area" ? "chart.last" : "chart.total", { name: s.name, n: formatNumber(kind === "area" ? s.values.at(-1) ?? 0 : s.values.reduce((a, b) => a + b, 0)) }));
  p.textContent = [...figures, t("chart.top", { n: formatNumber(max) })].join(" · ");
  figure.append(p);
  return figure;
}
