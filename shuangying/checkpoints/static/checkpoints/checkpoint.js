// The gate page (卡口核验, C3/C4). Whatever is shown is read by the camera, a hardware scanner
// or typing: a pass is checked at once over the API (放行/劝返, needs the network), a health
// code shows its colour and joins the check, a document number identifies the person.
// Every check record is put in an IndexedDB queue first, then uploaded in one batch request;
// an item leaves the queue only after the server has answered for it (created, duplicate or
// rejected). Each item carries a UUID made here, which the server deduplicates on: a batch
// resent after a lost answer writes nothing twice.
(function () {
  "use strict";
  const root = document.getElementById("checkpoint-mode");
  if (!root) return;
  const form = document.getElementById("check-form");
  const pendingEl = document.getElementById("pending-count");
  const netEl = document.getElementById("net-status");
  const messageEl = document.getElementById("sync-message");
  const errorsEl = document.getElementById("form-errors");
  const DB_NAME = "shuangying-checkpoints";
  const STORE = "queue";
  const PROVINCES = root.dataset.provinces;
  const PLATE_RE = new RegExp("^[" + PROVINCES + "][A-Z][A-Z0-9]{5,6}$");
  const T_MIN = parseFloat(root.dataset.temperatureMin);
  const T_MAX = parseFloat(root.dataset.temperatureMax);
  const FEVER = parseFloat(root.dataset.fever);
  const BATCH = 500;
  let flushing = false;

  // --- IndexedDB -----------------------------------------------------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "client_uuid" });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return db().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(STORE, mode);
      const result = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }
  const queuePut = (item) => tx("readwrite", (s) => s.put(item));
  const queueAll = () => tx("readonly", (s) => s.getAll());
  const queueCount = () => tx("readonly", (s) => s.count());
  const queueDelete = (ids) => tx("readwrite", (s) => { ids.forEach((id) => s.delete(id)); });

  function newUuid() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // --- status ----------------------------------------------------------------------------------
  const CAN_RECORD = root.dataset.canRecord === "1";
  function showPending() {
    if (!CAN_RECORD) return Promise.resolve(0);
    return queueCount().then((n) => { pendingEl.textContent = String(n); return n; });
  }
  function showNetwork() {
    const online = navigator.onLine;
    netEl.textContent = online ? "在线" : "离线";
    netEl.classList.toggle("ok", online);
  }
  function say(text) { messageEl.textContent = text; }
  // The cookie holds the current token even when this page is an older copy kept by the
  // service worker (a new login rotates it); the page's own copy is the fallback.
  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : root.dataset.csrf;
  }

  // --- upload ----------------------------------------------------------------------------------
  function flush() {
    if (!CAN_RECORD || flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return queueAll()
      .then((items) => {
        if (!items.length) return null;
        items.sort((a, b) => a.checked_at.localeCompare(b.checked_at));
        return sendBatches(items.slice(0, BATCH));
      })
      .catch(() => say("网络不可用，记录已保存在本机，恢复后自动上传"))
      .finally(() => {
        flushing = false;
        return showPending().then((n) => { if (n && navigator.onLine && !stalled) setTimeout(flush, 200); });
      });
  }
  let stalled = false;
  function sendBatches(items) {
    return fetch(root.dataset.batchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ items: items }),
    }).then((response) => {
      if (response.status === 401 || response.status === 403) {
        stalled = true;
        say("登录已失效，请重新登录；记录仍保存在本机");
        return null;
      }
      if (!response.ok) { stalled = true; say("上传失败（" + response.status + "），稍后重试"); return null; }
      stalled = false;
      return response.json().then((body) => {
        // Only what the server answered for leaves the queue.
        const done = body.items.map((i) => i.client_uuid);
        const rejected = body.items.filter((i) => i.status === "rejected");
        return queueDelete(done).then(() => {
          say(rejected.length
            ? `已上传 ${body.created + body.duplicate} 条，${rejected.length} 条被拒绝：${rejected[0].message}`
            : `已上传 ${body.created + body.duplicate} 条`);
        });
      });
    });
  }

  // --- the form ---------------------------------------------------------------------------------
  const vehicleBox = document.getElementById("cp-vehicle");
  const checkpointSelect = document.getElementById("cp-checkpoint");
  if (vehicleBox) {
    vehicleBox.addEventListener("change", () => {
      document.getElementById("vehicle-fields").hidden = !vehicleBox.checked;
      document.getElementById("plate-field").hidden = !vehicleBox.checked;
    });
  }
  if (checkpointSelect) {
    const fromLink = new URLSearchParams(location.search).get("place");
    const saved = fromLink || localStorage.getItem("checkpoint");
    if (saved && checkpointSelect.querySelector(`option[value="${saved}"]`)) checkpointSelect.value = saved;
    checkpointSelect.addEventListener("change", () => localStorage.setItem("checkpoint", checkpointSelect.value));
  }

  function readForm(outcome) {
    const data = new FormData(form);
    const errors = [];
    const temperature = parseFloat(String(data.get("temperature") || "").replace(",", "."));
    if (Number.isNaN(temperature)) errors.push("体温：请填写体温，如 36.5");
    else if (temperature < T_MIN || temperature > T_MAX) errors.push("体温：应在 34.0–43.0 ℃ 之间，请复测后重新填写");
    const item = {
      client_uuid: newUuid(),
      checkpoint: parseInt(data.get("checkpoint"), 10),
      checked_at: new Date().toISOString(),
      temperature: Number.isNaN(temperature) ? null : temperature.toFixed(1),
      direction: data.get("direction") || "in",
      outcome: outcome,
      id_number: String(data.get("id_number") || "").trim(),
      health_code_token: String(data.get("health_code_token") || ""),
      is_vehicle: Boolean(vehicleBox && vehicleBox.checked),
    };
    if (item.is_vehicle) {
      item.plate = String(data.get("plate") || "").replace(/[\s·•-]/g, "").toUpperCase();
      if (!item.plate) errors.push("车牌号：车辆检查须填写车牌号");
      else if (!PROVINCES.includes(item.plate[0])) errors.push("车牌号：首字应为省份简称，如 晋、京");
      else if (!PLATE_RE.test(item.plate)) errors.push("车牌号：格式不正确，应为省份简称+字母+5位（新能源6位）字母或数字");
      item.vehicle_type = data.get("vehicle_type") || "other";
      item.origin = String(data.get("origin") || "").trim();
      const n = parseInt(data.get("passenger_count"), 10);
      item.passenger_count = Number.isNaN(n) ? null : n;
    } else if (!item.id_number && !item.health_code_token) {
      errors.push("证件号码：请扫描健康码或填写证件号码");
    }
    return { item, errors };
  }

  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const outcome = event.submitter ? event.submitter.value : "passed";
      const { item, errors } = readForm(outcome);
      errorsEl.innerHTML = "";
      if (errors.length) {
        errors.forEach((e) => { const li = document.createElement("li"); li.textContent = e; errorsEl.appendChild(li); });
        return;
      }
      queuePut(item).then(() => {
        const fever = parseFloat(item.temperature) >= FEVER;
        const label = event.submitter ? event.submitter.textContent.trim() : "已记录";
        const who = item.is_vehicle ? item.plate : (codeLabel || maskedDocument(item.id_number));
        showResult(label, "outcome-" + outcome + (fever ? " fever" : ""),
          [`体温 ${item.temperature}℃${fever ? " 发热" : ""}`, who].filter(Boolean).join(" · "));
        say("已记录");
        ["cp-id-number", "cp-temperature", "cp-token", "cp-plate", "cp-origin", "cp-scan-input"].forEach((id) => {
          const el = document.getElementById(id); if (el) el.value = "";
        });
        codeLabel = "";
        const scanOut = document.getElementById("scan-result");
        scanOut.textContent = ""; scanOut.style.color = "";
        document.getElementById("cp-temperature").focus();
        return showPending();
      }).then(flush);
    });
  }

  // --- health-code scanning (jsQR, vendored) ---------------------------------------------------
  const scanButton = document.getElementById("scan-button");
  let stream = null;
  function stopScan() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    document.getElementById("scan-box").hidden = true;
  }
  function showVerified(token) {
    const out = document.getElementById("scan-result");
    out.textContent = "已扫描健康码";
    codeLabel = "健康码已扫描";
    if (!navigator.onLine) return;
    fetch(root.dataset.verifyUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ token: token }),
    }).then((r) => (r.ok ? r.json() : null)).then((body) => {
      if (!body) return;
      if (body.valid) {
        codeLabel = `${body.label || body.colour}${body.masked_name ? " · " + body.masked_name : ""}`;
        out.textContent = `健康码：${codeLabel}`;
        out.style.color = body.hex || "";
      } else {
        out.textContent = `健康码无效：${body.message || ""}`;
        out.style.color = "var(--red)";
      }
    }).catch(() => {});
  }
  // One frame (the camera's, or any image or canvas): a decoded code fills the form.
  function decodeFrom(source, width, height) {
    const canvas = document.getElementById("scan-canvas");
    canvas.width = width; canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(source, 0, 0, width, height);
    const image = ctx.getImageData(0, 0, width, height);
    const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (!code || !code.data) return false;
    stopScan();
    readShown(code.data);
    return true;
  }
  window.checkpointScan = (source) => decodeFrom(source, source.naturalWidth || source.width, source.naturalHeight || source.height);
  if (scanButton) {
    scanButton.addEventListener("click", () => {
      if (!navigator.mediaDevices || !window.jsQR) { say("此设备不能使用摄像头，请输入证件号码"); return; }
      const video = document.getElementById("scan-video");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((s) => {
        stream = s;
        document.getElementById("scan-box").hidden = false;
        video.srcObject = s;
        video.play();
        const tick = () => {
          if (!stream) return;
          if (video.readyState === video.HAVE_ENOUGH_DATA && decodeFrom(video, video.videoWidth, video.videoHeight)) return;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }).catch(() => say("无法打开摄像头，请输入证件号码"));
    });
    document.getElementById("scan-stop").addEventListener("click", stopScan);
  }

  // --- whatever is shown: a pass, a health code or a document number -------------------------
  let codeLabel = "";
  const resultBox = document.getElementById("cp-result");
  function showResult(word, classes, detail) {
    resultBox.className = "cp-result " + classes;
    document.getElementById("cp-result-word").textContent = word;
    document.getElementById("cp-result-detail").textContent = detail || "";
    resultBox.hidden = false;
  }
  function maskedDocument(number) {
    return number && number.length > 8 ? number.slice(0, 4) + "*".repeat(number.length - 8) + number.slice(-4) : "";
  }
  const HEALTH_CODE = /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}$/;
  const DOCUMENT = /^(\d{17}[\dXx]|\d{15}|[A-Za-z0-9]{6,20})$/;
  function selectedDirection() {
    const checked = form.querySelector('input[name="direction"]:checked');
    return checked ? checked.value : "in";
  }
  function passCall(url, body) {
    if (!navigator.onLine) { showResult("无法核验", "outcome-turned_back", "通行证须联网核验，请恢复网络后重试"); return; }
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(Object.assign({ place: parseInt(checkpointSelect.value, 10), direction: selectedDirection() }, body)),
    }).then((r) => r.json().then((data) => ({ ok: r.ok, data }))).then(({ ok, data }) => {
      if (!ok) { showResult("无法核验", "outcome-turned_back", data.message || "核验失败"); return; }
      showResult(data.allowed ? "放行" : "劝返", data.allowed ? "outcome-passed" : "outcome-turned_back",
        [data.reason_label, data.holder_name].filter(Boolean).join(" · "));
    }).catch(() => showResult("无法核验", "outcome-turned_back", "网络不可用，请重试"));
  }
  function readShown(raw) {
    const text = String(raw || "").trim();
    if (!text) return;
    const out = document.getElementById("scan-result");
    out.style.color = "";
    if (HEALTH_CODE.test(text)) {
      document.getElementById("cp-token").value = text;
      showVerified(text);
    } else if (text.includes(":")) {
      if (root.dataset.canCheckPass !== "1") { out.textContent = "这是通行证码，您的角色不能核验通行证"; return; }
      out.textContent = "通行证核验中…";
      const plate = document.getElementById("cp-plate");
      passCall(root.dataset.passCheckUrl, { token: text, plate: plate ? plate.value.trim() : "" });
      out.textContent = "";
    } else if (DOCUMENT.test(text) && document.getElementById("cp-id-number")) {
      document.getElementById("cp-id-number").value = text.toUpperCase();
      out.textContent = "已填入证件号码，请测体温后选择处置";
      const t = document.getElementById("cp-temperature"); if (t) t.focus();
    } else {
      out.textContent = "无法识别：请扫描通行证或健康码，或输入证件号码";
      out.style.color = "var(--red)";
    }
  }
  window.checkpointRead = readShown;
  const scanInput = document.getElementById("cp-scan-input");
  if (scanInput) {
    scanInput.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      readShown(scanInput.value);
      scanInput.value = "";
    });
  }
  const noPass = document.getElementById("cp-no-pass");
  if (noPass) noPass.addEventListener("click", () => passCall(root.dataset.turnBackUrl, {}));

  // --- start -----------------------------------------------------------------------------------
  window.addEventListener("online", () => { stalled = false; showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  setInterval(() => { if (!stalled) flush(); }, 15000);
  showNetwork();
  showPending().then(flush);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/checkpoints/" }).catch(() => {});
  }
  window.checkpointQueue = { flush: flush, count: queueCount };
})();
