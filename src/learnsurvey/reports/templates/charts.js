// Replace each chart's printed SVG with the interactive Vega-Lite chart (same spec).
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.vegaEmbed !== "function") return;
  document.querySelectorAll(".chart-drawing[data-spec]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-spec"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var holder = document.createElement("div");
    holder.setAttribute("aria-hidden", "true");
    window.vegaEmbed(holder, spec, { actions: false, renderer: "svg" }).then(function () {
      box.replaceChildren(holder);
    }).catch(function () { /* keep the printed chart */ });
  });
});
