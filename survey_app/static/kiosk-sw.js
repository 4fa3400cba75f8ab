/* The kiosk's service worker (issue 21.3): the kiosk page, its script and styles from the
   cache when the network is down, so a reload keeps the kiosk running. Answers are never
   handled here: the page keeps them in IndexedDB and sends them itself. */
"use strict";

var CACHE = "zisurvey-kiosk-1";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.simpan) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.filter(same).map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        return response.ok ? cache.put(url, response) : undefined;
      }).catch(function () { return undefined; });
    }));
  }));
});

function same(url) {
  return new URL(url, self.location.href).origin === self.location.origin;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !same(request.url)) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (found) {
        return found || Response.error();
      });
    })
  );
});
