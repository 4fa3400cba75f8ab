// Draw every <div class="chart" data-figure="..."> with the app's own plotly.js.
document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
  var figure = JSON.parse(el.dataset.figure);
  Plotly.newPlot(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
});
