{% load static %}// Checkpoint mode's service worker: keeps the page shell and its files so that the page opens
// without a network. Submissions never pass through here: the page queues them in IndexedDB.
const CACHE = "checkpoints-v1";
const PAGE = "{% url 'checkpoints:checkpoint_mode' %}";
const ASSETS = [
  "{% static 'css/app.css' %}",
  "{% static 'vendor/htmx-2.0.11.min.js' %}",
  "{% static 'js/app.js' %}",
  "{% static 'checkpoints/checkpoint.css' %}",
  "{% static 'checkpoints/checkpoint.js' %}",
  "{% static 'checkpoints/vendor/jsQR-1.4.0.js' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([PAGE, ...ASSETS])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    // The page: fresh from the network when there is one (a new CSRF token, new checkpoints),
    // else the copy kept. A login redirect is not kept.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(PAGE))
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
