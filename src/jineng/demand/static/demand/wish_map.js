/* Training wishes on a map (ECharts, from our static files; data from the page's json_script,
   built by demand.selectors.wishes.wish_map).

   Circles at the regions' seats are drawn at once, sized by the number of wishers. When the
   province's boundary file (china-geojson, the plans map's file, served from our static files)
   has loaded, the map is redrawn on it:
   - "province": the cities coloured by their wishers (a choropleth, the darker the more), with
     the counties' circles on top when counted by county;
   - "city": the city's own outline with its counties' circles.
   Without a file, or if it fails to load, the circles stay. The chart element's
   data-map-drawn says which was drawn ("points", "province", "city"). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var el = document.getElementById("wish-map");
  var node = el && document.getElementById(el.getAttribute("data-map-source"));
  var data = node ? JSON.parse(node.textContent || "null") : null;
  if (!data) { return; }
  var pts = (data.points || []).filter(function (p) { return p.lon !== null && p.lat !== null; });
  var areas = data.areas || [];
  if (!pts.length && !areas.length) { return; }
  var max = Math.max.apply(null, pts.map(function (p) { return p.wishes; }).concat([1]));

  function fmt(n) { return Number(n || 0).toLocaleString("zh-CN"); }

  function circles(onGeo) {
    var series = {
      type: "scatter",
      data: pts.map(function (p) {
        return { value: [p.lon, p.lat], name: p.name, wishes: p.wishes,
                 symbolSize: (onGeo ? 8 : 10) + (onGeo ? 26 : 40) * Math.sqrt(p.wishes / max) };
      }),
      itemStyle: { color: "#2f6db5", opacity: onGeo ? 0.8 : 0.75,
                   borderColor: "#fff", borderWidth: onGeo ? 1 : 0 },
      label: { show: !onGeo || pts.length <= 40, position: "bottom", fontSize: onGeo ? 10 : 11,
               formatter: function (p) { return p.data.name + " " + fmt(p.data.wishes); } },
      tooltip: { formatter: function (p) {
        return p.data.name + "<br>" + data.label + "：" + fmt(p.data.wishes); } }
    };
    if (onGeo) { series.coordinateSystem = "geo"; series.zlevel = 1; }
    return series;
  }

  var chart = echarts.init(el);
  if (pts.length) {
    chart.setOption({
      tooltip: {},
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      grid: { left: 10, right: 10, top: 10, bottom: 30 },
      series: [circles(false)]
    });
    el.setAttribute("data-map-drawn", "points");
  }
  window.addEventListener("resize", function () { chart.resize(); });
  if ((data.mode !== "province" && data.mode !== "city") || !data.geojson || !window.fetch) {
    return;
  }

  function provinceOption() {
    var series = [{
      type: "map", geoIndex: 0,
      data: areas.map(function (a) {
        return { name: a.feature, value: a.wishes, region: a.name };
      })
    }];
    if (pts.length && data.circlesOnMap) { series.push(circles(true)); }
    return {
      tooltip: { trigger: "item" },
      geo: { map: data.mapName, roam: false, selectedMode: false,
             label: { show: true, fontSize: 10, color: "#333" },
             itemStyle: { areaColor: "#f5f7fa", borderColor: "#fff", borderWidth: 1 },
             emphasis: { label: { show: true }, itemStyle: { areaColor: "#f6d186" } },
             tooltip: { show: true, formatter: function (p) {
               var a = areas.filter(function (x) { return x.feature === p.name; })[0];
               return (a ? a.name : p.name) + "<br>" + data.label + "：" +
                 (a ? fmt(a.wishes) : data.noWishes);
             } } },
      visualMap: { type: "continuous", min: 0, max: Math.max(data.max || 0, 1),
                   seriesIndex: 0, calculable: false, left: 10, bottom: 10,
                   text: [fmt(Math.max(data.max || 0, 1)), "0"],
                   inRange: { color: ["#eaf1fb", "#9ec2ea", "#2f6db5", "#173f73"] } },
      series: series
    };
  }

  function cityOption() {
    return {
      tooltip: {},
      geo: { map: data.mapName, roam: false, silent: true,
             itemStyle: { areaColor: "#f5f7fa", borderColor: "#9aa5b1", borderWidth: 1.5 },
             label: { show: false } },
      series: pts.length ? [circles(true)] : []
    };
  }

  fetch(data.geojson, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (geojson) {
      if (data.mode === "province") {
        echarts.registerMap(data.mapName, geojson);
        chart.setOption(provinceOption(), true);
      } else {
        var own = (geojson.features || []).filter(function (f) {
          return f.properties && f.properties.name === data.feature;
        });
        if (!own.length) { return; }
        echarts.registerMap(data.mapName + "-" + data.feature,
                            { type: "FeatureCollection", features: own });
        data.mapName = data.mapName + "-" + data.feature;
        chart.setOption(cityOption(), true);
      }
      el.setAttribute("data-map-drawn", data.mode);
    })
    .catch(function () { /* keep the circles */ });
})();
