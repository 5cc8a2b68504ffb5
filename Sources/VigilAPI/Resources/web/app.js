// Vigil control-room page: plain JavaScript, no build step. Every call carries the
// operator's token (kept for this browser tab only), and every error shows the server's message.
"use strict";
const $ = (selector, root = document) => root.querySelector(selector);
let token = sessionStorage.getItem("vigil.token") || "";
let me = null;
const objectURLs = new Map();

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${token}` }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message; } catch (_) { /* not JSON */ }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("application/json") ? response.json() : response.blob();
}

// Images behind the token: fetched, then shown from a blob URL (an <img src> cannot send headers).
async function authImage(img, url) {
  if (!url) { img.removeAttribute("src"); return; }
  try {
    const blob = await api(url);
    const old = objectURLs.get(img);
    img.src = URL.createObjectURL(blob);
    objectURLs.set(img, img.src);
    if (old) URL.revokeObjectURL(old);
  } catch (_) { /* keep the previous picture */ }
}

// ---- sign-in ----
$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("#token").value.trim();
  await signIn();
});
$("#logout").addEventListener("click", () => { sessionStorage.removeItem("vigil.token"); location.reload(); });

/** Roles in rank order: each may do what the ones before it may. */
const ROLES = ["viewer", "case_viewer", "operator", "admin"];
function can(role) { return ROLES.indexOf(me.role) >= ROLES.indexOf(role); }

async function signIn() {
  try {
    me = await api("/v1/me");
  } catch (error) {
    $("#login-error").textContent = error.message;
    $("#login").hidden = false;
    return;
  }
  sessionStorage.setItem("vigil.token", token);
  document.body.className = me.role;
  $("#who").textContent = `${me.name} (${me.role})`;
  $("#login").hidden = true;
  $("#logout").hidden = false;
  show("live");
  startCameras();
  startAlerts();
  loadWatchlists();
}

document.querySelectorAll("button.tab").forEach((button) => button.addEventListener("click", () => show(button.dataset.tab)));
function show(tab) {
  if (!me) return;
  for (const id of ["live", "watchlists", "cases"]) $(`#${id}`).hidden = id !== tab;
  if (tab === "cases") loadCases();
  document.querySelectorAll("button.tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === tab));
}

// ---- cameras: status every 2 s, one preview frame per tile per second ----
const tiles = new Map();
async function refreshCameras() {
  let cameras = [];
  try { cameras = await api("/v1/cameras"); } catch (_) { return; }
  for (const camera of cameras) {
    let tile = tiles.get(camera.id);
    if (!tile) {
      tile = $("#camera-tile").content.firstElementChild.cloneNode(true);
      tile.dataset.camera = camera.id;
      $(".name", tile).textContent = camera.name;
      drawZones(tile, camera);
      $("#cameras").append(tile);
      tiles.set(camera.id, tile);
    }
    const state = $(".state", tile);
    state.textContent = camera.state;
    state.className = `badge state ${camera.state.split("(")[0]}`;
    const fps = camera.fps_analysed == null ? "" : `${camera.fps_decoded.toFixed(1)} fps in · ${camera.fps_analysed.toFixed(1)} analysed · `;
    $(".figures", tile).textContent = `${fps}${camera.frames_dropped} dropped · ${camera.reconnects} reconnects`;
    tile.dataset.live = camera.state === "streaming" ? "1" : "";
  }
}
// Behaviour zones (amber) and lines (cyan, the forbidden direction named) over the preview, in the
// camera's own pixels: the SVG takes the preview's size once a frame has loaded.
function drawZones(tile, camera) {
  if (!camera.zones.length && !camera.lines.length) return;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.classList.add("zones");
  const add = (name, attributes, text) => {
    const element = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text) element.textContent = text;
    svg.append(element);
  };
  for (const zone of camera.zones) {
    add("polygon", { points: zone.points.map((p) => p.join(",")).join(" "), class: "zone" });
    add("text", { x: zone.points[0][0] + 6, y: zone.points[0][1] + 22, class: "zone-label" }, `${zone.name}: ${zone.rules.join(", ")}`);
  }
  for (const line of camera.lines) {
    add("line", { x1: line.from[0], y1: line.from[1], x2: line.to[0], y2: line.to[1], class: "tripwire" });
    add("text", { x: line.from[0] + 6, y: line.from[1] + 22, class: "zone-label" }, line.forbidden ? `${line.name} (no ${line.forbidden})` : line.name);
  }
  const img = $("img", tile);
  img.addEventListener("load", () => svg.setAttribute("viewBox", `0 0 ${img.naturalWidth} ${img.naturalHeight}`));
  $(".frame", tile).append(svg);
}

function startCameras() {
  refreshCameras();
  setInterval(refreshCameras, 2000);
  setInterval(() => {
    for (const [id, tile] of tiles) if (tile.dataset.live) authImage($("img", tile), `/v1/cameras/${encodeURIComponent(id)}/preview.jpg`);
  }, 1000);
}

// ---- alerts: the last 20, then the live stream, resumed from the last event id after any disconnect ----
const cards = new Map();
let lastEvent = null;
async function startAlerts() {
  try {
    const page = await api("/v1/alerts?limit=20");
    for (const alert of page.alerts.reverse()) render(alert, false);
  } catch (_) { /* the stream still runs */ }
  for (;;) {
    try {
      await stream();
    } catch (_) { /* reconnect below */ }
    $("#stream-state").textContent = "reconnecting";
    $("#stream-state").className = "badge down";
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function stream() {
  const headers = { Authorization: `Bearer ${token}` };
  if (lastEvent !== null) headers["Last-Event-ID"] = String(lastEvent);
  const response = await fetch("/v1/alerts/stream", { headers });
  if (!response.ok) throw new Error(String(response.status));
  $("#stream-state").textContent = "live";
  $("#stream-state").className = "badge live";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id = null, data = null;
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) id = Number(line.slice(4));
        if (line.startsWith("data: ")) data = line.slice(6);
      }
      if (id !== null) lastEvent = id;
      if (data) render(JSON.parse(data), true);
    }
  }
}

function render(alert, fresh) {
  let card = cards.get(alert.id);
  const isNew = !card;
  if (isNew) {
    card = $("#alert-card").content.firstElementChild.cloneNode(true);
    card.dataset.alert = alert.id;
    cards.set(alert.id, card);
    $("#alerts").prepend(card);
    $(".ack", card).addEventListener("click", () => review(card, `/v1/alerts/${alert.id}/acknowledge`, null));
    $(".confirm", card).addEventListener("click", () => review(card, `/v1/alerts/${alert.id}/verdict`, "confirmed"));
    $(".reject", card).addEventListener("click", () => review(card, `/v1/alerts/${alert.id}/verdict`, "rejected"));
    $(".open-case", card).addEventListener("click", () => openCaseFromAlert(card, alert.id));
    if (alert.enrolment_image_url) authImage($(".enrolled", card), alert.enrolment_image_url);
    else $(".enrolled", card).closest("figure").hidden = true;
    if (alert.kind === "behaviour") $("meter", card).hidden = true;
  }
  if (fresh) { card.classList.remove("new"); void card.offsetWidth; card.classList.add("new"); }
  if (isNew || fresh) authImage($(".crop", card), alert.crop_url);
  $(".subject", card).textContent = `${alert.subject_name} (${alert.subject_id})`;
  $(".where", card).textContent = `${alert.camera} · watchlist ${alert.watchlist} · seen ${alert.count}×`;
  const meter = $("meter", card);
  meter.value = alert.distance; meter.high = alert.threshold; meter.max = Math.max(1, alert.threshold * 1.5);
  $(".distance", card).textContent = alert.kind === "behaviour"
    ? `${alert.subject_name} · track ${alert.track}` + (alert.rule === "loitering" ? ` · rule: ${alert.threshold} s` : alert.rule === "crowd" ? ` · rule: ${alert.threshold} people` : "")
    : alert.kind === "plate"
    ? `read ${alert.plate_text} · ${alert.distance} edit(s) ≤ ${alert.threshold} from ${alert.subject_id} · OCR confidence ${(alert.plate_confidence ?? 0).toFixed(2)}`
    : `distance ${alert.distance.toFixed(3)} ≤ threshold ${alert.threshold} (best ${alert.best_distance.toFixed(3)})`;
  $(".when", card).textContent = `${new Date(alert.first_seen).toLocaleTimeString()} – ${new Date(alert.last_seen).toLocaleTimeString()}`;
  const reviewText = $(".review", card);
  reviewText.className = `review ${alert.verdict || ""}`;
  reviewText.textContent = alert.verdict ? `${alert.verdict} by ${alert.verdict_by}${alert.verdict_comment ? `: “${alert.verdict_comment}”` : ""}`
    : alert.acknowledged_by ? `acknowledged by ${alert.acknowledged_by}` : "not yet reviewed";
  $(".ack", card).disabled = !!alert.acknowledged_at;
}

async function review(card, path, verdict) {
  const options = { method: "POST" };
  if (verdict) {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify({ verdict, comment: $(".comment", card).value || null });
  }
  try {
    render(await api(path, options), false);
    $(".error", card).textContent = "";
  } catch (error) {
    $(".error", card).textContent = error.message;
  }
}

// ---- watchlists ----
let selected = null;
async function loadWatchlists() {
  const list = $("#watchlist-list");
  try {
    const watchlists = await api("/v1/watchlists");
    list.replaceChildren(...watchlists.map((w) => {
      const item = document.createElement("li");
      item.textContent = w.kind === "plate"
        ? `${w.name} — ${w.plates} plates, ${w.mode}-list, max ${w.max_edits} edit(s), region ${w.region}`
        : `${w.name} — ${w.subjects} subjects, ${w.enrolments} photos, threshold ${w.threshold}`;
      item.dataset.name = w.name;
      item.classList.toggle("selected", w.name === selected);
      item.addEventListener("click", () => openWatchlist(w.name));
      return item;
    }));
  } catch (error) { $("#watchlist-error").textContent = error.message; }
}

async function openWatchlist(name) {
  selected = name;
  document.querySelectorAll("#watchlist-list li").forEach((li) => li.classList.toggle("selected", li.dataset.name === name));
  try {
    const detail = await api(`/v1/watchlists/${encodeURIComponent(name)}`);
    $("#watchlist-detail").hidden = false;
    $("#detail-title").textContent = detail.watchlist.name;
    const w = detail.watchlist, isPlate = w.kind === "plate";
    $("#detail-meta").textContent = (isPlate
      ? `${w.mode}-list of plates (${w.mode === "allow" ? "a match never alerts" : "a match alerts"}) · max ${w.max_edits} edit(s) · region ${w.region}`
      : `threshold ${w.threshold} (lower is stricter)`) + ` · created ${new Date(w.created_at).toLocaleString()}`;
    $("#face-section").hidden = isPlate;
    $("#plate-section").hidden = !isPlate;
    $("#plates tbody").replaceChildren(...detail.plates.map((p) => {
      const row = document.createElement("tr");
      row.innerHTML = "<td></td><td></td><td></td>";
      row.cells[0].textContent = p.plate;
      row.cells[1].textContent = p.label || "";
      if (can("operator")) {
        const remove = document.createElement("button");
        remove.textContent = "Remove";
        remove.className = "danger";
        remove.addEventListener("click", async () => {
          if (!confirm(`Remove ${p.plate} from ${name}?`)) return;
          try { await api(`/v1/watchlists/${encodeURIComponent(name)}/plates/${encodeURIComponent(p.plate)}`, { method: "DELETE" }); }
          catch (error) { $("#plate-result").textContent = error.message; }
          openWatchlist(name); loadWatchlists();
        });
        row.cells[2].append(remove);
      }
      return row;
    }));
    $("#subjects tbody").replaceChildren(...detail.subjects.map((s) => {
      const row = document.createElement("tr");
      row.innerHTML = "<td></td><td></td><td></td><td></td>";
      row.cells[0].textContent = s.id;
      row.cells[1].textContent = s.name;
      row.cells[2].textContent = String(s.enrolments.length);
      if (can("operator")) {
        const remove = document.createElement("button");
        remove.textContent = "Remove";
        remove.className = "danger";
        remove.addEventListener("click", async () => {
          if (!confirm(`Remove ${s.id} and their face encodings from ${name}?`)) return;
          try { await api(`/v1/watchlists/${encodeURIComponent(name)}/subjects/${encodeURIComponent(s.id)}`, { method: "DELETE" }); }
          catch (error) { $("#enrol-result").textContent = error.message; }
          openWatchlist(name); loadWatchlists();
        });
        row.cells[3].append(remove);
      }
      return row;
    }));
  } catch (error) { $("#watchlist-error").textContent = error.message; }
}

$("#create-watchlist").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const body = form.kind.value === "plate"
      ? { name: form.name.value.trim(), kind: "plate", mode: form.mode.value, region: form.region.value }
      : { name: form.name.value.trim(), threshold: Number(form.threshold.value) };
    await api("/v1/watchlists", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    $("#watchlist-error").textContent = "";
    const name = form.name.value.trim();
    form.reset();
    await loadWatchlists();
    openWatchlist(name);
  } catch (error) { $("#watchlist-error").textContent = error.message; }
});

$("#create-watchlist").kind.addEventListener("change", (event) => {
  const plate = event.target.value === "plate", form = event.target.form;
  form.threshold.hidden = plate;
  form.mode.hidden = !plate;
  form.region.hidden = !plate;
});

$("#add-plate").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target, result = $("#plate-result");
  result.className = "";
  try {
    const entry = await api(`/v1/watchlists/${encodeURIComponent(selected)}/plates`, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plate: form.plate.value, label: form.label.value || null }) });
    result.textContent = `${entry.plate} is on ${selected}`;
    form.reset();
    openWatchlist(selected); loadWatchlists();
  } catch (error) {
    result.className = "error";
    result.textContent = error.message;
  }
});

$("#enrol").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData();
  for (const file of form.image.files) data.append("image", file, file.name);
  if (form.display_name.value) data.append("display_name", form.display_name.value);
  const result = $("#enrol-result");
  result.className = "";
  result.textContent = "enrolling…";
  try {
    const outcome = await api(`/v1/watchlists/${encodeURIComponent(selected)}/subjects/${encodeURIComponent(form.subject.value.trim())}/enrolments`,
      { method: "POST", body: data });
    result.textContent = `${outcome.subject}: ${outcome.added} photo(s) enrolled${outcome.already_enrolled ? `, ${outcome.already_enrolled} already enrolled` : ""}`;
    form.reset();
    openWatchlist(selected); loadWatchlists();
  } catch (error) {
    result.className = "error";
    result.textContent = error.message;
  }
});

$("#remove-watchlist").addEventListener("click", async () => {
  if (!selected || !confirm(`Remove watchlist ${selected} and every encoding in it?`)) return;
  try {
    await api(`/v1/watchlists/${encodeURIComponent(selected)}`, { method: "DELETE" });
    selected = null;
    $("#watchlist-detail").hidden = true;
    loadWatchlists();
  } catch (error) { $("#watchlist-error").textContent = error.message; }
});

if (token) signIn(); else $("#login").hidden = false;
