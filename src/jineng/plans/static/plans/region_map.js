/* The plans map (ECharts), shared by the plan dashboard and the landing page: the regions below
   the one shown, coloured by the progress status of the main target; a click drills into a
   region. Each chart element names its JSON (from dashboard.region_map) in data-map-source.

   The seats are drawn as circles at once; when the province's boundary file (china-geojson,
   served from our static files) has loaded, a province is redrawn as a `map` series of its
   cities and a city as its own outline with the counties' circles on top. Without a file, or
   if it fails to load, the circles stay. The chart element's data-map-drawn says which. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function fmt(n) {
    if (n === null || n === undefined) { return "—"; }
    return Number(n).toLocaleString("zh-CN");
  }

  function tooltip(map) {
    var label = (map.labels && map.labels.progress) || "";
    return {
      formatter: function (p) {
        var d = p.data && p.data.point ? p.data.point : null;
        if (!d) { return p.name; }
        return d.name + "<br>" + map.metric + "：" + fmt(d.actual) + " / " + fmt(d.target) +
          "<br>" + label + "：" + (d.percent === null ? "—" : d.percent + "%") +
          "（" + d.status_label + "）";
      }
    };
  }

  // Circles at the seats, sized by target (the fallback, and the counties on a city outline).
  function circles(map, onGeo) {
    var pts = map.points.filter(function (d) { return d.lon !== null && d.lat !== null; });
    var maxTarget = Math.max.apply(null, pts.map(function (d) { return d.target || 1; }).concat([1]));
    var series = {
      type: "scatter",
      data: pts.map(function (d) {
        return { value: [d.lon, d.lat], name: d.name, point: d,
                 itemStyle: { color: d.color, borderColor: "#fff", borderWidth: 1 },
                 symbolSize: (onGeo ? 12 : 18) + (onGeo ? 22 : 34) * Math.sqrt((d.target || 0) / maxTarget) };
      }),
      label: { show: true, position: "bottom", fontSize: 11,
               formatter: function (p) {
                 return p.data.name + (p.data.point.percent === null ? "" : " " + p.data.point.percent + "%");
               } }
    };
    if (onGeo) { series.coordinateSystem = "geo"; }
    return series;
  }

  function pointsOption(map) {
    return {
      tooltip: tooltip(map),
      grid: { left: 10, right: 10, top: 10, bottom: 10, containLabel: false },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: [circles(map, false)]
    };
  }

  function provinceOption(map) {
    return {
      tooltip: tooltip(map),
      series: [{
        type: "map", map: map.mapName, nameMap: map.nameMap, roam: false, selectedMode: false,
        label: { show: true, fontSize: 10 },
        itemStyle: { areaColor: "#eef2f6", borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#f6d186" } },
        data: map.points.filter(function (d) { return d.feature; }).map(function (d) {
          return { name: d.name, value: d.percent, point: d, itemStyle: { areaColor: d.color } };
        })
      }]
    };
  }

  function cityOption(map) {
    return {
      tooltip: tooltip(map),
      geo: { map: map.mapName, roam: false, silent: true,
             itemStyle: { areaColor: "#f5f7fa", borderColor: "#9aa5b1", borderWidth: 1.5 },
             label: { show: false } },
      series: [circles(map, true)]
    };
  }

  function draw(el) {
    var node = document.getElementById(el.getAttribute("data-map-source"));
    var map = node ? JSON.parse(node.textContent || "null") : null;
    if (!map || !map.points || !map.points.length) { return; }
    var chart = echarts.init(el);
    chart.setOption(pointsOption(map));
    el.setAttribute("data-map-drawn", "points");
    chart.on("click", function (p) {
      var d = p.data && p.data.point ? p.data.point : null;
      if (d && d.url) { window.location.href = d.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    if ((map.mode !== "province" && map.mode !== "city") || !map.geojson || !window.fetch) {
      return;
    }
    fetch(map.geojson, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geojson) {
        if (map.mode === "province") {
          echarts.registerMap(map.mapName, geojson);
          chart.setOption(provinceOption(map), true);
        } else {
          var own = (geojson.features || []).filter(function (f) {
            return f.properties && f.properties.name === map.feature;
          });
          if (!own.length) { return; }
          echarts.registerMap(map.mapName, { type: "FeatureCollection", features: own });
          chart.setOption(cityOption(map), true);
        }
        el.setAttribute("data-map-drawn", map.mode);
      })
      .catch(function () { /* keep the circles */ });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map-source]"), draw);
})();
