// folium's popups need only `$(html)[0]`: parse the HTML, return its first element.
(function () {
  if (window.$) { return; }
  window.$ = function (markup) {
    var t = document.createElement('template'); t.innerHTML = String(markup).trim();
    return [t.content.firstElementChild || document.createTextNode(t.innerHTML)];
  };
})();
