/* Training wishes on a map (ECharts, from our static files): circles at the regions' seats,
   sized by the number of wishers; the data come from the page (json_script). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var el = document.getElementById("wish-map");
  var node = el && document.getElementById(el.getAttribute("data-map-source"));
  var data = node ? JSON.parse(node.textContent || "null") : null;
  if (!data || !data.points) { return; }
  var pts = data.points.filter(function (p) { return p.lon !== null && p.lat !== null; });
  if (!pts.length) { return; }
  var max = Math.max.apply(null, pts.map(function (p) { return p.wishes; }).concat([1]));
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: function (p) { return p.data.name + "<br>" + data.label + "：" + p.data.wishes; } },
    xAxis: { type: "value", scale: true, show: false },
    yAxis: { type: "value", scale: true, show: false },
    grid: { left: 10, right: 10, top: 10, bottom: 30 },
    series: [{
      type: "scatter",
      data: pts.map(function (p) {
        return { value: [p.lon, p.lat], name: p.name, wishes: p.wishes,
                 symbolSize: 10 + 40 * Math.sqrt(p.wishes / max) };
      }),
      itemStyle: { color: "#2f6db5", opacity: 0.75 },
      label: { show: true, position: "bottom", fontSize: 11,
               formatter: function (p) { return p.data.name + " " + p.data.wishes; } }
    }]
  });
  el.setAttribute("data-map-drawn", "points");
  window.addEventListener("resize", function () { chart.resize(); });
})();
