// The playground: embeds the sentences (and the query) through this server's TEI route POST /embed
// and shows their cosine similarities as a heatmap, a table and a ranked list. Relative URLs only:
// every call goes to the server that served the page, with the API key when one is given.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "gemma-embed.api-key";

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value || sessionStorage.getItem(KEY) || "";
  if (key) {
    h.Authorization = "Bearer " + key;
  }
  return h;
}

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function call(method, path, body) {
  const r = await fetch(path, { method, headers: headers(), body: body && JSON.stringify(body) });
  if (r.status === 401) {
    $("key-label").hidden = false;
    throw new Error("this server needs an API key: enter it above");
  }
  const data = await r.json();
  if (!r.ok) {
    throw new Error(typeof data.error === "string" ? data.error : (data.error && data.error.message) || r.statusText);
  }
  return data;
}

async function loadInfo() {
  try {
    const info = await call("GET", "info");
    $("model-id").textContent = info.model_id + " (" + info.dimensions + " dimensions)";
    for (const p of info.prompts) {
      $("prompt").add(new Option(p, p, false, p === "document"));
    }
    const widths = [info.dimensions, 512, 256, 128, 64, 32, 16].filter((d, i) => i === 0 || d < info.dimensions);
    for (const d of widths) {
      $("dimensions").add(new Option(d === info.dimensions ? d + " (all)" : String(d), String(d)));
    }
    window.promptNames = info.prompts;
    status("");
  } catch (e) {
    status(e.message, true);
  }
}

async function embed(inputs, promptName, dimensions, full) {
  const body = { inputs };
  if (promptName) {
    body.prompt_name = promptName;
  }
  if (dimensions !== full) {
    body.dimensions = dimensions;
  }
  return call("POST", "embed", body);
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

// -1 → blue, 0 → white, 1 → red
function colour(v) {
  const t = Math.max(-1, Math.min(1, v));
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
}

function drawHeatmap(matrix) {
  const canvas = $("heatmap");
  const ctx = canvas.getContext("2d");
  const n = matrix.length;
  const cell = Math.floor(canvas.width / n);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = Math.max(10, Math.min(16, cell / 4)) + "px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      ctx.fillStyle = colour(matrix[i][j]);
      ctx.fillRect(j * cell, i * cell, cell - 1, cell - 1);
      ctx.fillStyle = "#222";
      ctx.fillText(matrix[i][j].toFixed(2), j * cell + cell / 2, i * cell + cell / 2);
    }
  }
}

function fillTable(sentences, matrix) {
  const table = $("matrix");
  table.replaceChildren();
  const head = table.insertRow();
  head.insertCell().outerHTML = "<th></th>";
  sentences.forEach((_, j) => { head.appendChild(document.createElement("th")).textContent = "#" + (j + 1); });
  matrix.forEach((row, i) => {
    const tr = table.insertRow();
    const th = tr.appendChild(document.createElement("th"));
    th.textContent = "#" + (i + 1) + " " + sentences[i].slice(0, 40);
    th.title = sentences[i];
    row.forEach((v) => {
      const td = tr.insertCell();
      td.textContent = v.toFixed(4);
      td.dataset.value = String(v);
      td.style.background = colour(v);
    });
  });
}

function fillRanked(sentences, scores) {
  const list = $("ranked");
  list.replaceChildren();
  scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s).forEach(({ s, i }) => {
    const li = list.appendChild(document.createElement("li"));
    li.dataset.index = String(i);
    li.dataset.value = String(s);
    li.appendChild(document.createElement("span")).textContent = s.toFixed(4);
    li.appendChild(document.createTextNode(sentences[i]));
  });
}

async function run(event) {
  event.preventDefault();
  const key = $("api-key").value;
  if (key) {
    sessionStorage.setItem(KEY, key);
  }
  if (!window.promptNames) {
    await loadInfo(); // the first try lacked the API key
    if (!window.promptNames) {
      return;
    }
  }
  const sentences = $("sentences").value.split("\n").map((s) => s.trim()).filter((s) => s.length > 0);
  const query = $("query").value.trim();
  const dims = Number($("dimensions").value);
  const full = Number($("dimensions").options[0].value);
  if (sentences.length === 0) {
    status("enter at least one sentence", true);
    return;
  }
  status("embedding …");
  try {
    const vectors = await embed(sentences, $("prompt").value, dims, full);
    const matrix = vectors.map((a) => vectors.map((b) => cosine(a, b)));
    drawHeatmap(matrix);
    fillTable(sentences, matrix);
    const hasQuery = query.length > 0;
    $("ranked-title").hidden = !hasQuery;
    $("ranked").hidden = !hasQuery;
    if (hasQuery) {
      const queryPrompt = (window.promptNames || []).includes("query") ? "query" : "";
      const [q] = await embed([query], queryPrompt, dims, full);
      fillRanked(sentences, vectors.map((v) => cosine(q, v)));
    }
    $("results").hidden = false;
    status("done: " + sentences.length + " sentences, " + vectors[0].length + " dimensions");
  } catch (e) {
    status(e.message, true);
  }
}

$("api-key").value = sessionStorage.getItem(KEY) || "";
$("form").addEventListener("submit", run);
loadInfo();
