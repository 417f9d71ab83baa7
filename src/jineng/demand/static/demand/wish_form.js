/* The wish form's occupation search (name or pinyin initials, from the public JSON endpoint)
   and the optional phone location. Works with the keyboard: arrows move, Enter picks. Without
   JavaScript the form still submits (the server names the fields at fault). */
(function () {
  "use strict";
  var input = document.querySelector("[data-occupation-search]");
  var list = document.getElementById("occupation-options");
  var chosen = document.getElementById("occupation-chosen");
  var hidden = document.querySelector("input[name=occupation_ids]");
  var urlNode = document.getElementById("occupation-search-url");
  if (!input || !list || !chosen || !hidden || !urlNode) { return; }
  var url = JSON.parse(urlNode.textContent);
  var active = -1, timer = null, MAX = 3;

  function ids() {
    return Array.prototype.map.call(chosen.querySelectorAll("li"), function (li) {
      return li.getAttribute("data-id");
    });
  }
  function sync() { hidden.value = ids().join(","); }
  function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
  function pick(item) {
    if (ids().indexOf(String(item.id)) >= 0 || ids().length >= MAX) { close(); return; }
    var li = document.createElement("li");
    li.setAttribute("data-id", item.id);
    li.textContent = item.name + " ";
    var b = document.createElement("button");
    b.type = "button"; b.className = "link"; b.textContent = "×";
    b.setAttribute("aria-label", "× " + item.name);
    li.appendChild(b);
    chosen.appendChild(li);
    sync(); input.value = ""; close(); input.focus();
  }
  chosen.addEventListener("click", function (e) {
    if (e.target.tagName === "BUTTON") { e.target.parentNode.remove(); sync(); input.focus(); }
  });
  function show(results) {
    list.innerHTML = ""; active = -1;
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "occupation-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-testid", "occupation-option");
      li.textContent = item.name + (item.code ? " (" + item.code + ")" : "");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(item); });
      li._item = item;
      list.appendChild(li);
    });
    list.hidden = !results.length;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) { show(data.results || []); } })
        .catch(close);
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    var options = list.querySelectorAll("li");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!options.length) { return; }
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      Array.prototype.forEach.call(options, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
    } else if (e.key === "Enter" && options.length) {
      e.preventDefault();
      pick(options[Math.max(active, 0)]._item);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });

  var button = document.getElementById("use-location");
  var state = document.getElementById("location-state");
  if (button && navigator.geolocation) {
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
        document.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
        state.textContent = "✓";
      }, function () { state.textContent = "×"; }, { timeout: 10000 });
    });
  } else if (button) {
    button.hidden = true;
  }
})();
