// The issue form: the phone's position, when it gives one, goes with the notice.
if (navigator.geolocation) navigator.geolocation.getCurrentPosition(function (p) {
  document.getElementById("id_lat").value = p.coords.latitude.toFixed(6);
  document.getElementById("id_lon").value = p.coords.longitude.toFixed(6);
}, function () {}, {timeout: 10000});
