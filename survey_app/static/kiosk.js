/* The kiosk on the counter (issue 21.3): one question per screen, answers kept on the tablet
   (IndexedDB) until the server has them, each sent with its own key so that sending it again
   stores nothing twice. Everything it shows comes from the page (#kiosk-data). */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kiosk-data").textContent);
  var questions = data.pertanyaan;
  var LAST = "zs-kiosk-terakhir"; // the device time (ms) of the last answer, for the gap
  var DB = "zisurvey-kiosk";
  var STORE = "antrean";

  var lang = data.bahasa in data.teks ? data.bahasa : "id";
  var answers = {};
  var index = 0;
  var startedAt = 0;
  var idleTimer = null;
  var thanksTimer = null;
  var waitTimer = null;
  var unpaired = false;
  var settleTimer = null;
  var SETTLE = 350; // ms after a question appears before a tap on it counts

  function $(id) { return document.getElementById(id); }

  function t(key, values) {
    var text = (data.teks[lang] || data.teks.id)[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  // -- the queue on the device -------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "kunci" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function queued() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function keep(item) { return withStore("readwrite", function (s) { return s.put(item); }); }
  function drop(key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  function find(key) { return withStore("readonly", function (s) { return s.get(key); }); }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // -- sending -----------------------------------------------------------------------------

  var refused = {};
  var running = null;
  var next = null;

  // One sending at a time; a call meanwhile runs once more after it (so a new answer is
  // never missed by a round that read the queue before it was kept).
  function flush() {
    if (next) { return next; }
    if (!running) { running = run(); return running; }
    next = running.then(function () { next = null; running = run(); return running; });
    return next;
  }

  function run() {
    return send().catch(function () { return "nanti"; }).then(function (result) {
      running = null;
      showQueue();
      if (result === "tidak_dipasang") { unpaired = true; leaveIfIdle(); }
      return result;
    });
  }

  function post(item) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 20000);
    return fetch(data.jawaban, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item),
      credentials: "same-origin",
      cache: "no-store",
      signal: abort.signal
    }).finally(function () { clearTimeout(timer); });
  }

  async function send() {
    var items = await queued();
    items.sort(function (a, b) { return a.dicatat - b.dicatat; });
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var response;
      try {
        response = await post(item);
      } catch (offline) {
        return "nanti";
      }
      var status = response.status;
      if (status === 200 || status === 201) {
        await drop(item.kunci);
      } else if (status === 401) {
        return "tidak_dipasang";
      } else if (status === 429) {
        var body = await response.json().catch(function () { return {}; });
        if (body.kode !== "jeda") { return "nanti"; }
        refused[item.kunci] = true; // within the gap: never accepted, however often sent
        await drop(item.kunci);
      } else if (status >= 400 && status < 500) {
        refused[item.kunci] = true;
        await drop(item.kunci);
      } else {
        return "nanti";
      }
    }
    return "terkirim";
  }

  function showQueue() {
    queued().then(function (items) {
      $("antrean").textContent = items.length ? t("menunggu", { n: items.length }) : "";
    }).catch(function () { /* no storage: nothing to show */ });
  }

  // -- screens -----------------------------------------------------------------------------

  function show(id, focus) {
    ["sambutan", "pertanyaan", "terima-kasih"].forEach(function (screen) {
      $(screen).hidden = screen !== id;
    });
    if (focus) { $(focus).focus({ preventScroll: false }); }
    window.scrollTo(0, 0);
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-t"));
    });
    document.querySelectorAll("[data-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
    $("petunjuk").textContent = t("petunjuk", { n: questions.length, m: data.menit });
    showQueue();
  }

  function clearTimers() {
    [idleTimer, thanksTimer, waitTimer].forEach(function (timer) { clearTimeout(timer); });
    idleTimer = thanksTimer = waitTimer = null;
  }

  function welcome() {
    clearTimers();
    answers = {};
    index = 0;
    lang = data.bahasa in data.teks ? data.bahasa : "id";
    applyLanguage();
    show("sambutan", "sambutan-judul");
    if (unpaired) { leaveIfIdle(); return; }
    readyCountdown();
  }

  function lastSent() { return Number(localStorage.getItem(LAST) || 0); }

  function readyCountdown() {
    var left = Math.ceil((lastSent() + data.jeda * 1000 - Date.now()) / 1000);
    if (left > data.jeda) { left = data.jeda; } // the tablet's clock went back
    var start = $("mulai");
    start.disabled = left > 0 || questions.length === 0; // a layanan with no survey: nothing to ask
    $("siap").textContent = left > 0 ? t("siap_lagi", { n: left }) : "";
    if (left > 0) { waitTimer = setTimeout(readyCountdown, 1000); }
  }

  function begin() {
    if ($("mulai").disabled) { return; }
    clearTimers();
    answers = {};
    index = 0;
    startedAt = Date.now();
    ask(true);
  }

  function face(value, scale) {
    var ns = "http://www.w3.org/2000/svg";
    var mood = scale > 1 ? (value - 1) / (scale - 1) : 1;
    var colours = ["#f6b3b3", "#f8d29a", "#cfe6a8", "#9fd8ab"];
    var svg = document.createElementNS(ns, "svg");
    function shape(name, attributes) {
      var node = document.createElementNS(ns, name);
      Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
      svg.appendChild(node);
    }
    svg.setAttribute("viewBox", "0 0 48 48");
    svg.setAttribute("class", "k-face");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    shape("circle", { cx: 24, cy: 24, r: 22, fill: colours[Math.round(mood * 3)], stroke: "#1b1f23", "stroke-width": 2 });
    shape("circle", { cx: 17, cy: 19, r: 3, fill: "#1b1f23" });
    shape("circle", { cx: 31, cy: 19, r: 3, fill: "#1b1f23" });
    var bend = 33 + (mood - 0.5) * 26;
    shape("path", { d: "M14 33 Q24 " + bend + " 34 33", fill: "none", stroke: "#1b1f23", "stroke-width": 3, "stroke-linecap": "round" });
    return svg;
  }

  function ask(focus) {
    var question = questions[index];
    var labels = question.label[lang] || question.label.id;
    $("langkah").textContent = t("langkah", { i: index + 1, n: questions.length });
    $("kemajuan").max = questions.length;
    $("kemajuan").value = index + 1;
    $("instrumen").textContent = question.judul[lang] || question.judul.id;
    $("soal").textContent = question.teks[lang] || question.teks.id;
    if (question.sub) {
      var sub = document.createElement("span");
      sub.className = "k-sub";
      sub.textContent = question.sub[lang] || question.sub.id;
      $("soal").appendChild(sub);
    }
    var help = question.bantuan ? question.bantuan[lang] || question.bantuan.id : "";
    $("bantuan").textContent = help;
    $("bantuan").hidden = !help;
    var choices = $("pilihan");
    choices.textContent = "";
    for (var value = 1; value <= question.skala; value++) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "k-choice";
      button.value = String(value);
      button.setAttribute("aria-pressed", String(answers[question.kode] === value));
      if (data.wajah) { button.appendChild(face(value, question.skala)); }
      var score = document.createElement("span");
      score.className = "k-score";
      score.textContent = String(value);
      var label = document.createElement("span");
      label.className = "k-label";
      label.textContent = labels[value - 1] || String(value);
      button.appendChild(score);
      button.appendChild(label);
      choices.appendChild(button);
    }
    $("kembali").hidden = index === 0;
    show("pertanyaan", focus ? "soal" : null);
    idle();
    // a second tap of a double tap lands on the next question's buttons: they wait a moment
    choices.classList.add("k-settling");
    clearTimeout(settleTimer);
    settleTimer = setTimeout(function () { choices.classList.remove("k-settling"); }, SETTLE);
  }

  function choose(value) {
    answers[questions[index].kode] = value;
    if (index + 1 < questions.length) {
      index += 1;
      ask(true);
    } else {
      finish();
    }
  }

  function idle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(welcome, data.diam * 1000);
  }

  async function finish() {
    clearTimers();
    var now = Date.now();
    var item = {
      kunci: newKey(),
      pasangan: data.kiosk, // the pairing it is given under: never sent under another
      jawaban: answers,
      dicatat: now,
      durasi: Math.max(0, Math.round((now - startedAt) / 1000)),
      versi: data.versi  // the questionnaire version shown: kept while the answer waits offline
    };
    var report = questions.some(function (q) { return q.lapor && answers[q.kode] <= 2; });
    localStorage.setItem(LAST, String(now));
    answers = {};
    $("status-kirim").textContent = "";
    $("lapor").textContent = t("lapor") +
      (data.pengaduan ? " " + t("lapor_unit", { tautan: data.pengaduan }) : "");
    $("lapor").hidden = !report;
    show("terima-kasih", "terima-kasih-judul");
    countdown(data.terima_kasih);
    try {
      await keep(item);
    } catch (noStorage) {
      $("status-kirim").textContent = t("ditolak");
      return;
    }
    await flush();
    var still = await find(item.kunci).catch(function () { return null; });
    $("status-kirim").textContent = refused[item.kunci] ? t("ditolak") : still ? t("disimpan") : t("terkirim");
  }

  function countdown(left) {
    $("hitung-mundur").textContent = t("kembali_ke_awal", { n: left });
    thanksTimer = setTimeout(function () {
      if (left <= 1) { welcome(); } else { countdown(left - 1); }
    }, 1000);
  }

  function leaveIfIdle() {
    if (!$("sambutan").hidden) { window.location.replace(data.halaman); }
  }

  // -- wiring ------------------------------------------------------------------------------

  $("mulai").addEventListener("click", begin);
  $("pilihan").addEventListener("click", function (event) {
    var button = event.target.closest("button.k-choice");
    if (button && !$("pilihan").classList.contains("k-settling")) { choose(Number(button.value)); }
  });
  $("kembali").addEventListener("click", function () {
    if (index > 0) { index -= 1; ask(true); }
  });
  $("ulang").addEventListener("click", welcome);
  document.querySelectorAll("[data-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      lang = button.getAttribute("data-lang");
      applyLanguage();
    });
  });
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (!$("pertanyaan").hidden) { idle(); }
    }, true);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 15000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(data.sw, { scope: data.halaman }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [data.halaman];
      document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (node) {
        urls.push(node.href || node.src);
      });
      if (registration.active) { registration.active.postMessage({ simpan: urls }); }
    }).catch(function () { /* no worker: the queue still works while the page stays open */ });
  }

  welcome();
  flush();
}());
