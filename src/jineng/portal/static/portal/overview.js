/* Overview charts: ECharts (served from our own static files) over the data the page embeds
   with json_script. Clicking a region bar drills down with ?region=<code>. */
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var palette = ["#b4232a", "#3b6ea5", "#1f7a1f", "#a86400", "#6b4c9a", "#2a8c8c", "#8c2a5e",
                 "#5c6b73", "#c07a2a", "#4a7a3a"];

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    // ECharts draws into the container's size: never let a missing style leave it 0 high.
    if (el.clientHeight < 50) { el.style.height = "360px"; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.color = palette;
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  var regions = data.regions;
  var series = [
    { name: data.labels.organizations, type: "bar", data: regions.organizations },
    { name: data.labels.sites, type: "bar", data: regions.sites }
  ];
  if (regions.persons) {
    series.push({ name: data.labels.persons, type: "bar", yAxisIndex: 1, data: regions.persons });
  }
  var regionChart = make("chart-regions", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 50, right: 60, top: 40, bottom: 80 },
    xAxis: { type: "category", data: regions.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: regions.persons ? [{ type: "value" }, { type: "value" }] : [{ type: "value" }],
    series: series
  });
  if (regionChart) {
    regionChart.on("click", function (params) {
      var i = params.dataIndex;
      if (regions.drill[i]) {
        window.location.search = "?region=" + encodeURIComponent(regions.codes[i]);
      }
    });
  }

  make("chart-types", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.types,
               label: { formatter: "{b}\n{c}" } }]
  });

  // Room for the longest group name on the left (about 7 px per Latin letter, 13 per Hanzi).
  var labelWidth = data.groups.names.reduce(function (widest, name) {
    var w = 0;
    for (var k = 0; k < name.length; k++) { w += name.charCodeAt(k) > 255 ? 13 : 7; }
    return Math.max(widest, w);
  }, 40);
  make("chart-groups", {
    tooltip: { trigger: "axis" },
    grid: { left: labelWidth + 16, right: 40, top: 10, bottom: 30 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.groups.names.slice().reverse() },
    series: [{ type: "bar", data: data.groups.values.slice().reverse(),
               label: { show: true, position: "right" } }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
