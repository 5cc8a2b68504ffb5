// Vigil control-room page: case records (needs the case_viewer role to read, operator to work on
// them). Uses api(), authImage(), can() and show() from app.js.
"use strict";
let openCase = null;

async function loadCases(event) {
  if (event) event.preventDefault();
  if (!can("case_viewer")) return;
  const form = $("#case-search");
  const query = new URLSearchParams();
  for (const name of ["text", "plate", "status"]) if (form.elements[name].value) query.set(name, form.elements[name].value);
  try {
    const cases = await api(`/v1/cases?${query}`);
    $("#case-list").replaceChildren(...cases.map((c) => {
      const item = document.createElement("li");
      item.textContent = `#${c.id} ${c.title} — ${c.type}, ${c.status}`;
      item.dataset.case = c.id;
      item.classList.toggle("selected", c.id === openCase);
      item.addEventListener("click", () => showCase(c.id));
      return item;
    }));
    if (!cases.length) $("#case-list").replaceChildren(Object.assign(document.createElement("li"), { textContent: "no cases" }));
    $("#case-error").textContent = "";
  } catch (error) { $("#case-error").textContent = error.message; }
}
$("#case-search").addEventListener("submit", loadCases);

$("#create-case").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const created = await api("/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: form.elements.title.value, type: form.elements.type.value }) });
    form.reset();
    await loadCases();
    showCase(created.id);
  } catch (error) { $("#case-error").textContent = error.message; }
});

/** From an alert card: a case with the alert (and its evidence) and its subject or plate linked. */
async function openCaseFromAlert(card, alertID) {
  try {
    const created = await api("/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ alert: alertID }) });
    show("cases");
    showCase(created.id);
  } catch (error) { $(".error", card).textContent = error.message; }
}

function alertItem(alert) {
  const item = document.createElement("li");
  const picture = document.createElement("img");
  picture.alt = "evidence";
  authImage(picture, alert.crop_url || alert.snapshot_url);
  const text = document.createElement("span");
  const evidence = alert.kind === "plate" ? `read ${alert.plate_text}` : `distance ${alert.distance.toFixed(3)} ≤ ${alert.threshold}`;
  text.textContent = `#${alert.id} ${alert.subject_name} (${alert.subject_id}) · ${alert.camera} · ${evidence} · ${new Date(alert.last_seen).toLocaleString()}`;
  item.append(picture, text);
  return item;
}

async function showCase(id) {
  openCase = id;
  document.querySelectorAll("#case-list li").forEach((li) => li.classList.toggle("selected", Number(li.dataset.case) === id));
  try {
    const file = await api(`/v1/cases/${id}`);
    const c = file.case;
    $("#case-detail").hidden = false;
    $("#case-title").textContent = `Case #${c.id}: ${c.title}`;
    $("#case-meta").textContent = `${c.type} · ${c.status} · assignee ${c.assignee || "—"} · area ${c.area || "—"} · opened ${new Date(c.created_at).toLocaleString()} by ${c.created_by}`
      + (c.closed_at ? ` · closed ${new Date(c.closed_at).toLocaleString()}` : "");
    const parties = [...file.people.map((p) => `person ${p.reference}${p.name ? ` (${p.name})` : ""}`),
      ...file.vehicles.map((v) => `vehicle ${v.reference}`)];
    $("#case-parties").textContent = parties.length ? parties.join(" · ") : "no people or vehicles yet";
    $("#case-alerts").replaceChildren(...file.alerts.map(alertItem));
    $("#case-related-title").hidden = !file.related_alerts.length;
    $("#case-related").replaceChildren(...file.related_alerts.map(alertItem));
    $("#case-journal").replaceChildren(...file.entries.map((e) => {
      const item = document.createElement("li");
      const who = document.createElement("div");
      who.className = "who";
      who.textContent = `${e.seq}. ${new Date(e.at).toLocaleString()} · ${e.author}`;
      const body = document.createElement("div");
      body.textContent = e.kind === "note" ? e.text : `attached ${e.file_name} (${e.file_size} bytes, sha256 ${e.file_sha256.slice(0, 16)}…)${e.text ? `: ${e.text}` : ""}`;
      item.append(who, body);
      return item;
    }));
    const check = await api(`/v1/cases/${id}/verify`);
    const badge = $("#case-integrity");
    badge.textContent = check.intact ? `${check.entries} ${check.entries === 1 ? "entry" : "entries"}, chain intact` : `TAMPERED: ${check.problems.join("; ")}`;
    badge.className = `badge ${check.intact ? "intact" : "tampered"}`;
    $("#case-close").disabled = c.status === "closed";
    $("#case-result").textContent = "";
  } catch (error) { $("#case-result").textContent = error.message; }
}

$("#case-note").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api(`/v1/cases/${openCase}/notes`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: event.target.elements.text.value }) });
    event.target.reset();
    showCase(openCase);
  } catch (error) { $("#case-result").textContent = error.message; }
});

$("#case-attach").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = event.target.elements.file.files[0];
  const query = new URLSearchParams({ name: file.name, description: event.target.elements.description.value });
  try {
    await api(`/v1/cases/${openCase}/attachments?${query}`, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: file });
    event.target.reset();
    showCase(openCase);
  } catch (error) { $("#case-result").textContent = error.message; }
});

$("#case-close").addEventListener("click", async () => {
  try {
    await api(`/v1/cases/${openCase}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "closed" }) });
    showCase(openCase);
    loadCases();
  } catch (error) { $("#case-result").textContent = error.message; }
});

$("#case-stats").addEventListener("submit", (event) => {
  event.preventDefault();
  const query = new URLSearchParams({ period: event.target.elements.period.value, by: event.target.elements.by.value });
  authImage($("#case-chart"), `/v1/cases/stats.png?${query}`);
});
