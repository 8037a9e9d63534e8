/* Draws the dashboard's trend charts from the JSON the page carries (plotly's basic bundle,
   fetched only when the charts come near the screen: a phone that never scrolls there never
   pays for it), and brings a department's drill-down into view when a heatmap cell opens it
   (htmx). No inline scripts: the CSP forbids them. The heatmap itself is an HTML table. */
(function () {
  "use strict";
  var CONFIG = { responsive: true, displayModeBar: false, displaylogo: false };

  function line(name, values, rounds, style) {
    return { type: "scatter", mode: "lines+markers", name: name, x: rounds, y: values,
      connectgaps: false, line: style, hovertemplate: "%{x}: %{y:.1f}<extra>" + name + "</extra>" };
  }

  function layout(title) {
    return { title: { text: title, font: { size: 15 } }, margin: { l: 40, r: 12, t: 40, b: 40 },
      height: 300, legend: { orientation: "h", y: -0.2 }, yaxis: { rangemode: "tozero", range: [0, 100], fixedrange: true },
      xaxis: { type: "category", fixedrange: true } };
  }

  function drawDepartment(chart) {
    var holder = document.getElementById("trend-department-chart");
    var choice = document.getElementById("trend-department");
    if (!holder || !choice) { return; }
    var found = chart.departments.filter(function (d) { return d.name === choice.value; })[0];
    if (!found) { return; }
    window.Plotly.react(holder, [
      line("Survey score", found.survey_score, chart.rounds, { color: "#0b5cad", width: 3 }),
      line("If everyone had answered", found.adjusted_score, chart.rounds, { color: "#a40e26", dash: "dash" })
    ], layout(found.name), CONFIG);
  }

  function draw() {
    var data = document.getElementById("trend-data");
    var holder = document.getElementById("trend-organisation");
    if (!holder || !data || !window.Plotly) { return; }
    var chart = JSON.parse(data.textContent);
    var o = chart.organisation;
    window.Plotly.react(holder, [
      line("Survey score", o.survey_score, chart.rounds, { color: "#0b5cad", width: 3 }),
      line("If everyone had answered", o.adjusted_score, chart.rounds, { color: "#a40e26", dash: "dash" }),
      line("What leaders observed", o.observed_score, chart.rounds, { color: "#1a7f37", dash: "dot" })
    ], layout("Organisation"), CONFIG);
    drawDepartment(chart);
    var choice = document.getElementById("trend-department");
    if (choice) { choice.addEventListener("change", function () { drawDepartment(chart); }); }
  }

  var loading = false;
  function loadThenDraw() {
    if (window.Plotly) { draw(); return; }
    var data = document.getElementById("trend-data");
    if (loading || !data) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = data.getAttribute("data-plotly");
    script.onload = draw;
    document.head.appendChild(script);
  }

  function whenNear() {
    var holder = document.getElementById("trend-organisation");
    if (!holder) { return; }
    if (!("IntersectionObserver" in window)) { loadThenDraw(); return; }
    var watcher = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        watcher.disconnect();
        loadThenDraw();
      }
    }, { rootMargin: "400px 0px" });
    watcher.observe(holder);
  }

  document.addEventListener("DOMContentLoaded", whenNear);
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    if (target.id === "dashboard-body") { whenNear(); }
    if (target.id === "drilldown") {
      var heading = target.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        target.scrollIntoView({ block: "nearest" });
      }
    }
  });
})();
