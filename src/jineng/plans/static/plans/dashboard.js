/* Plans dashboard charts (ECharts). Data comes from the page's #plans-data JSON. */
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

  function fmt(n) {
    if (n === null || n === undefined) { return "—"; }
    return Number(n).toLocaleString("zh-CN");
  }

  function go(url) { if (url) { window.location.href = url; } }

  // --- map: a boundary map if installed, otherwise region seats by coordinates ---------------
  var map = data.map;
  var mapChart = map && map.points && map.points.length ? chart("chart-map") : null;
  if (mapChart) {
    var tooltip = {
      formatter: function (p) {
        var d = p.data && p.data.point ? p.data.point : p.data;
        if (!d) { return p.name; }
        return d.name + "<br>" + map.metric + "：" + fmt(d.actual) + " / " + fmt(d.target) +
          "<br>" + (L.progress || "") + "：" + (d.percent === null ? "—" : d.percent + "%") +
          "（" + d.status_label + "）";
      }
    };
    if (map.mapName && echarts.getMap && echarts.getMap(map.mapName)) {
      mapChart.setOption({
        tooltip: tooltip,
        series: [{
          type: "map", map: map.mapName, roam: false,
          label: { show: true, fontSize: 10 },
          data: map.points.map(function (d) {
            return { name: d.name, value: d.percent, point: d, itemStyle: { areaColor: d.color } };
          })
        }]
      });
    } else {
      var pts = map.points.filter(function (d) { return d.lon !== null && d.lat !== null; });
      var maxTarget = Math.max.apply(null, pts.map(function (d) { return d.target || 1; }).concat([1]));
      mapChart.setOption({
        tooltip: tooltip,
        grid: { left: 10, right: 10, top: 10, bottom: 10, containLabel: false },
        xAxis: { type: "value", scale: true, show: false },
        yAxis: { type: "value", scale: true, show: false },
        series: [{
          type: "scatter",
          data: pts.map(function (d) {
            return { value: [d.lon, d.lat], name: d.name, point: d,
                     itemStyle: { color: d.color, borderColor: "#fff", borderWidth: 1 },
                     symbolSize: 18 + 34 * Math.sqrt((d.target || 0) / maxTarget) };
          }),
          label: { show: true, position: "bottom", fontSize: 11,
                   formatter: function (p) { return p.data.name + (p.data.point.percent === null ? "" : " " + p.data.point.percent + "%"); } }
        }]
      });
    }
    mapChart.on("click", function (p) {
      var d = p.data && p.data.point ? p.data.point : null;
      if (d) { go(d.url); }
    });
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
