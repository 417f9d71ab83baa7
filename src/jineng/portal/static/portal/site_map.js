/* The public training map (Leaflet, served from our static files). Offline by default: the
   province's boundaries (china-geojson) are the base map; tiles only when the deployment sets
   JINENG_MAP_TILES. Sites are keyboard-focusable markers with their names; the list under the
   map holds the same classes. "Use my location" fills the hidden lat/lon fields from the
   browser's geolocation API and submits the filters. */
(function () {
  "use strict";

  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var form = document.getElementById("site-filters");
  if (button && form) {
    if (!navigator.geolocation) { button.hidden = true; }
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-waiting") || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
        var place = form.querySelector("[name=place]");
        if (place) { place.value = ""; }
        var km = form.querySelector("[name=within_km]");
        if (km && !km.value) { km.value = "10"; }
        form.submit();
      }, function (err) {
        status.textContent = err.message || "—";
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
    });
    // Choosing a place replaces a position given before.
    var select = form.querySelector("[name=place]");
    if (select) {
      select.addEventListener("change", function () {
        form.querySelector("[name=lat]").value = "";
        form.querySelector("[name=lon]").value = "";
      });
    }
  }

  var el = document.getElementById("training-map");
  if (!el || typeof L === "undefined") { return; }
  var node = document.getElementById(el.getAttribute("data-map-source"));
  var data = node ? JSON.parse(node.textContent || "null") : null;
  if (!data) { return; }
  var map = L.map(el, { zoomControl: true, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  if (data.tiles) {
    L.tileLayer(data.tiles, { attribution: data.attribution || "", maxZoom: 18 }).addTo(map);
  }
  var points = [];
  var icon = L.divIcon({ className: "site-marker", iconSize: [18, 18] });
  data.sites.forEach(function (s) {
    var label = s.name + " · " + s.institution + " · " + s.classes + " " + data.labels.classes +
      (s.km !== null ? " · " + s.km + " " + data.labels.km : "");
    var marker = L.marker([s.lat, s.lon], { icon: icon, title: label, alt: label, keyboard: true });
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = s.name;
    box.appendChild(strong);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(s.address));
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(s.classes + " " + data.labels.classes));
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = s.url;
    link.textContent = s.institution + " · " + data.labels.institution;
    box.appendChild(link);
    marker.bindPopup(box);
    marker.addTo(map);
    points.push([s.lat, s.lon]);
  });
  // Without a place (or wider than 50 km) the server answers per county: one labelled marker
  // per county with its numbers; its popup links to the map around the county's seat.
  (data.regions || []).forEach(function (r) {
    var label = r.name + " · " + r.sites + " " + data.labels.sites + " · " + r.classes + " " +
      data.labels.classes;
    var size = Math.min(44, 22 + Math.round(Math.log(1 + r.classes) * 3));
    var regionIcon = L.divIcon({ className: "region-marker", html: String(r.classes),
      iconSize: [size, size] });
    var marker = L.marker([r.lat, r.lon], { icon: regionIcon, title: label, alt: label,
      keyboard: true });
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = r.name;
    box.appendChild(strong);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(r.sites + " " + data.labels.sites + " · " +
      r.classes + " " + data.labels.classes));
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = r.url;
    link.textContent = data.labels.zoom;
    box.appendChild(link);
    marker.bindPopup(box);
    marker.addTo(map);
    points.push([r.lat, r.lon]);
  });
  if (data.centre) {
    L.circle([data.centre.lat, data.centre.lon], { radius: data.centre.km * 1000, weight: 1,
      color: "#1d5fa8", fillOpacity: 0.05, interactive: false }).addTo(map);
    L.circleMarker([data.centre.lat, data.centre.lon], { radius: 6, color: "#b3261e",
      fillOpacity: 1, interactive: false }).addTo(map);
    points.push([data.centre.lat, data.centre.lon]);
  }
  function fit(extra) {
    var all = points.concat(extra || []);
    if (data.centre) {
      map.fitBounds(L.latLng(data.centre.lat, data.centre.lon).toBounds(data.centre.km * 2000));
    } else if (all.length) {
      map.fitBounds(L.latLngBounds(all), { padding: [20, 20], maxZoom: 12 });
    } else {
      map.setView([35, 105], 4);
    }
  }
  fit();
  el.setAttribute("data-map-drawn", (data.regions || []).length ? "regions" : "sites");
  if (data.boundary && window.fetch) {
    fetch(data.boundary, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, { interactive: false, style: {
          color: "#6b7785", weight: 1, fillColor: "#eef2f6", fillOpacity: 0.6 } });
        layer.addTo(map);
        layer.bringToBack();
        if (!points.length) { map.fitBounds(layer.getBounds()); }
        el.setAttribute("data-map-drawn", "boundaries");
      })
      .catch(function () { /* the sites stay */ });
  }
})();
