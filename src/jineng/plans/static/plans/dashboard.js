/* Plans dashboard charts (ECharts): breakdowns and the trend, from the page's #plans-data JSON.
   The map of the regions below is region_map.js (shared with the landing page). */
(function () {
  "use strict";
  var node = document.getElementById("plans-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent || "{}");
  var L = data.labels || {};
  var charts = [];

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el);
    charts.push(c);
    return c;
  }

  // --- breakdowns: target against actual for each value ----------------------------------
  var breakdowns = data.breakdowns || {};
  Object.keys(breakdowns).forEach(function (dim) {
    var items = breakdowns[dim];
    var c = chart("chart-" + dim);
    if (!c || !items.length) { return; }
    var hasTargets = items.some(function (i) { return i.target !== null; });
    var series = [{ name: L.actual, type: "bar", data: items.map(function (i) { return i.actual; }),
                    itemStyle: { color: "#b4232a" } }];
    if (hasTargets) {
      series.unshift({ name: L.target, type: "bar", data: items.map(function (i) { return i.target; }),
                       itemStyle: { color: "#d9e2ec" }, barGap: "-100%" });
    }
    c.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.label; }),
               axisLabel: { width: 130, overflow: "truncate" } },
      series: series
    });
  });

  // --- trend: monthly figures, the cumulative line and the straight line to the target ------
  var trend = data.trend;
  var trendChart = trend && trend.points && trend.points.length ? chart("chart-trend") : null;
  if (trendChart) {
    var months = trend.points.map(function (p) { return p.month; });
    var series = [
      { name: L.monthly, type: "bar", data: trend.points.map(function (p) { return p.value; }),
        itemStyle: { color: "#d9a3a6" } },
      { name: L.cumulative, type: "line", data: trend.points.map(function (p) { return p.cumulative; }),
        itemStyle: { color: "#b4232a" } }
    ];
    if (trend.targetLine && trend.targetLine.length) {
      series.push({ name: L.straightLine, type: "line", data: trend.targetLine,
                    lineStyle: { type: "dashed", color: "#616e7c" }, itemStyle: { color: "#616e7c" },
                    symbol: "none" });
    }
    trendChart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value" },
      series: series
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
