/* Walkabout service worker: the walk pages keep working without a network, for the user
   whose pages they are and no one else.
   - Static files are kept under this release's version; an upgrade drops the old ones.
   - Leader pages are kept per user (the app names the user in X-Walkabout-User). A page
     for another user, or the login page (which names nobody), drops every other user's
     pages: after a logout or a change of user nothing of the previous user is served.
   - A page whose answer comes back after a change of user (fetched before a logout, on
     slow Wi-Fi) is neither kept nor makes its user current again: changes of user and
     pages kept take turns, and a fetch notes how many changes it was sent after.
   - A page that cannot be fetched is served from the current user's copy, or else the
     app's own offline page. */
var VERSION = "__STATIC_VERSION__";
var ASSETS = "walkabout-assets-" + VERSION;
var PAGES = "walkabout-pages-";
var STATE = "walkabout-state";
var KEPT_PAGES = ["/", "/visits", "/visits/new"];
var PRECACHE = ["app.css", "htmx.min.js", "outbox.js", "visit.js"].map(function (name) {
  return "/static/" + name + "?v=" + VERSION;
});

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(ASSETS).then(function (cache) {
    var offline = fetch("/offline", { credentials: "omit" }).then(function (response) {
      if (response.ok) { return cache.put("/offline", response); }
    });
    return Promise.all([cache.addAll(PRECACHE), offline]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // Pages of an older release point at its scripts, which are gone: drop them with them.
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== ASSETS && k !== STATE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function currentUser() {
  return caches.open(STATE).then(function (cache) { return cache.match("/current-user"); })
    .then(function (hit) { return hit ? hit.text() : ""; });
}

// Changes of user since this worker started. A worker is only stopped when idle, so no
// fetch outlives the count it was sent under.
var changes = 0;
var turn = Promise.resolve();

function inTurn(work) {
  var done = turn.then(work);
  turn = done.catch(function () {});
  return done;
}

function setCurrentUser(user, previous) {
  if (previous === user) { return Promise.resolve(); }
  changes += 1;
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(PAGES) === 0 && k !== PAGES + user;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () {
    return caches.open(STATE).then(function (cache) {
      return cache.put("/current-user", new Response(user));
    });
  });
}

function fromNetwork(request, url) {
  var sentAfter = changes;
  return fetch(request).then(function (response) {
    // Only the app's own pages say whose they are (an empty name: nobody's, the login page).
    if (response.type === "opaqueredirect" || !response.headers.has("X-Walkabout-User")) { return response; }
    var user = response.headers.get("X-Walkabout-User");
    var keep = user && response.ok && !response.redirected && !url.search &&
      KEPT_PAGES.indexOf(url.pathname) >= 0;
    var copy = keep ? response.clone() : null;
    return inTurn(function () {
      return currentUser().then(function (current) {
        // Sent before the user changed, and for another user than now: a stale answer.
        if (user !== current && changes !== sentAfter) { return; }
        return setCurrentUser(user, current).then(function () {
          if (copy) {
            return caches.open(PAGES + user).then(function (cache) { return cache.put(url.pathname, copy); });
          }
        });
      });
    }).then(function () { return response; }, function () {
      // Keeping it failed (the phone's storage full, say): the page itself still arrived.
      return response;
    });
  });
}

function fromCache(url) {
  return currentUser().then(function (user) {
    if (!user) { return undefined; }
    return caches.open(PAGES + user).then(function (cache) { return cache.match(url.pathname); });
  }).then(function (hit) {
    return hit || caches.open(ASSETS).then(function (cache) { return cache.match("/offline"); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(ASSETS).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok && url.search === "?v=" + VERSION) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fromNetwork(request, url).catch(function () { return fromCache(url); }));
  }
});

self.addEventListener("message", function (event) {
  // A page that opened while this worker was starting is not yet under it: it asks.
  if (event.data && event.data.type === "claim") {
    event.waitUntil(self.clients.claim());
  }
  // A leader page asks that the walk pages be kept for its user while the network is there.
  if (event.data && event.data.type === "keep-pages") {
    event.waitUntil(Promise.all(KEPT_PAGES.map(function (path) {
      var url = new URL(path, self.location.origin);
      return fromNetwork(new Request(url, { credentials: "same-origin" }), url).catch(function () {});
    })));
  }
});
