/* Draws the dashboard heatmap from the JSON the page carries, and opens a department's
   drill-down when a cell is chosen (htmx). No inline scripts: the CSP forbids them. */
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("heatmap");
    var data = document.getElementById("heatmap-data");
    if (!holder || !data || !window.Plotly) { return; }
    var figure = JSON.parse(data.textContent);
    if (!figure) { return; }
    var survey = document.getElementById("survey").value;
    window.Plotly.newPlot(holder, figure.data, figure.layout, { responsive: true, displaylogo: false });
    holder.on("plotly_click", function (event) {
      var name = event.points[0].y;
      window.htmx.ajax("GET", "/dashboard/department?survey=" + encodeURIComponent(survey) +
        "&name=" + encodeURIComponent(name), { target: "#drilldown" });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "dashboard-body") { draw(); }
  });
})();
