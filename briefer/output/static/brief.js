// Enhances the HTML brief: following a citation opens its source and lights every piece of its span.
// The spans are marked in the page already (in code points, by briefer), so nothing here counts offsets.
(function () {
  "use strict";
  function show(key, focus) {
    var start = document.getElementById(key);
    if (!start || !start.classList.contains("start")) return;
    var details = start.closest("details");
    if (details) details.open = true;
    var marks = document.querySelectorAll("mark.on");
    for (var i = 0; i < marks.length; i++) marks[i].classList.remove("on");
    var lit = document.querySelectorAll("mark[data-cites~='" + key + "']");
    for (var j = 0; j < lit.length; j++) lit[j].classList.add("on");
    if (lit.length) {
      lit[0].scrollIntoView({ block: "center" });
      if (focus) lit[0].focus({ preventScroll: true });
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.cite") : null;
    if (!link) return;
    event.preventDefault();
    var key = link.getAttribute("data-cite");
    history.replaceState(null, "", "#" + key);
    show(key, true);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") document.body.classList.add("notips");
  });
  document.addEventListener("focusin", function () { document.body.classList.remove("notips"); });
  document.addEventListener("mouseover", function () { document.body.classList.remove("notips"); });
  if (location.hash.length > 1) show(decodeURIComponent(location.hash.slice(1)), false);
})();
