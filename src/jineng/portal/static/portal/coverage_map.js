/* The coverage map (ECharts, offline): counties as circles at their seats coloured by the share
   of the population within the threshold, and the areas beyond it (the gaps) as red points.
   Like the plans map (plans/region_map.js), the points are drawn at once; when the province's
   boundary file (china-geojson, served from our static files) has loaded, they are redrawn over
   its outline. The chart element's data-map-drawn says which ("points" or "geo"). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function fmt(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN"); }

  function series(map, onGeo) {
    var counties = {
      type: "scatter", name: map.labels.share,
      data: map.points.map(function (d) {
        return { value: [d.lon, d.lat], name: d.name, point: d, symbolSize: 16,
                 itemStyle: { color: d.color, borderColor: "#fff", borderWidth: 1 } };
      }),
      label: { show: true, position: "bottom", fontSize: 10, formatter: function (p) {
        return p.data.name + (p.data.point.share === null ? "" : " " + Math.round(p.data.point.share * 100) + "%");
      } }
    };
    var gaps = {
      type: "scatter", name: map.labels.gap, symbolSize: 5,
      itemStyle: { color: "#d62728", opacity: 0.7 },
      data: map.gaps.map(function (g) { return { value: [g.lon, g.lat], name: g.name, gap: g }; })
    };
    if (onGeo) { counties.coordinateSystem = "geo"; gaps.coordinateSystem = "geo"; }
    return [gaps, counties];
  }

  function tooltip(map) {
    return { formatter: function (p) {
      if (p.data && p.data.point) {
        var d = p.data.point;
        return d.name + "<br>" + map.labels.share + "：" + (d.share === null ? "—" : Math.round(d.share * 1000) / 10 + "%") +
          "<br>" + map.labels.population + "：" + fmt(d.population);
      }
      if (p.data && p.data.gap) {
        var g = p.data.gap;
        return g.name + "<br>" + (g.minutes === null ? "—" : g.minutes + " " + map.labels.minutes) +
          "<br>" + map.labels.population + "：" + fmt(g.population);
      }
      return p.name;
    } };
  }

  function draw(el) {
    var node = document.getElementById(el.getAttribute("data-map-source"));
    var map = node ? JSON.parse(node.textContent || "null") : null;
    if (!map || (!map.points.length && !map.gaps.length)) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: tooltip(map),
      grid: { left: 10, right: 10, top: 10, bottom: 10 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: series(map, false)
    });
    el.setAttribute("data-map-drawn", "points");
    window.addEventListener("resize", function () { chart.resize(); });
    if (!map.geojson || !window.fetch) { return; }
    fetch(map.geojson, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geojson) {
        echarts.registerMap(map.mapName, geojson);
        chart.setOption({
          tooltip: tooltip(map),
          geo: { map: map.mapName, roam: true, silent: true,
                 itemStyle: { areaColor: "#f5f7fa", borderColor: "#9aa5b1", borderWidth: 1 } },
          series: series(map, true)
        }, true);
        el.setAttribute("data-map-drawn", "geo");
      })
      .catch(function () { /* keep the points */ });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map-source='coverage-map-data']"), draw);
})();
