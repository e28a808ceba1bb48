// The self-service widget and the new-ticket suggestions (knowledge base).
// Every page still works without JavaScript: the widget's form searches /ayuda/.
(() => {
  if (window.ventanillaKb) return; // included by more than one template
  window.ventanillaKb = true;

  const DEBOUNCE_MS = 250;
  const SETTLE_MS = 1500;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function debounce(fn, ms) {
    let timer;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  async function searchApi(api, lang, q, limit) {
    const url = `${api}?${new URLSearchParams({ q, lang, limit: String(limit), typing: "1" })}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return { results: [], suggestion: "" };
    return response.json();
  }

  // The snippet is HTML built by the server: escaped text and <mark> only.
  function renderResults(list, results, { newTab = false, onOpen = null } = {}) {
    list.replaceChildren();
    for (const hit of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = hit.url;
      link.textContent = hit.title;
      link.dataset.slug = hit.slug;
      if (newTab) {
        link.target = "_blank";
        link.rel = "noopener";
      }
      if (onOpen) link.addEventListener("click", (event) => onOpen(event, hit));
      const snippet = document.createElement("p");
      snippet.className = "kb-snippet";
      snippet.innerHTML = hit.snippet;
      item.append(link, snippet);
      list.append(item);
    }
  }

  function setupWidget(root) {
    const input = root.querySelector("[data-kb-input]");
    const list = root.querySelector("[data-kb-results]");
    const empty = root.querySelector("[data-kb-empty]");
    const ask = root.querySelector("[data-kb-ask]");
    const thanks = root.querySelector("[data-kb-thanks]");
    const escalate = root.querySelector("[data-kb-escalate]");
    const suggestion = root.querySelector("[data-kb-suggestion]");
    const suggestionLink = root.querySelector("[data-kb-suggestion-link]");
    const state = { question: "", shown: [], token: null, recorded: "", seq: 0 };

    async function record() {
      if (!state.question || state.recorded === state.question + state.shown.join()) {
        return state.token;
      }
      state.recorded = state.question + state.shown.join();
      const response = await fetch(root.dataset.record, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({
          question: state.question, shown: state.shown, session: state.token,
          place: root.dataset.place,
        }),
      });
      if (response.ok) state.token = (await response.json()).session;
      return state.token;
    }
    const recordLater = debounce(record, SETTLE_MS);

    function withToken(template, token) {
      return template.replace("TOKEN", token);
    }

    async function openArticle(event, hit) {
      event.preventDefault();
      const token = await record();
      window.location.href = token ? `${hit.url}?autoservicio=${token}` : hit.url;
    }

    async function update() {
      const q = input.value.trim();
      const seq = ++state.seq;
      if (q.length < 3) {
        list.replaceChildren();
        [empty, ask, escalate, suggestion, thanks].forEach((el) => (el.hidden = true));
        return;
      }
      const data = await searchApi(root.dataset.api, root.dataset.lang, input.value, 5);
      if (seq !== state.seq) return; // a newer search is on its way
      state.question = q;
      state.shown = data.results.map((hit) => hit.slug);
      renderResults(list, data.results, { onOpen: openArticle });
      empty.hidden = data.results.length > 0;
      ask.hidden = data.results.length === 0;
      thanks.hidden = true;
      escalate.hidden = data.results.length > 0;
      suggestion.hidden = !data.suggestion;
      if (data.suggestion) suggestionLink.textContent = data.suggestion;
      recordLater();
    }

    input.addEventListener("input", debounce(update, DEBOUNCE_MS));
    root.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      update();
    });
    suggestionLink.addEventListener("click", (event) => {
      event.preventDefault();
      input.value = suggestionLink.textContent;
      update();
    });
    root.querySelectorAll("[data-kb-resolved]").forEach((button) => {
      button.addEventListener("click", async () => {
        const token = await record();
        const outcome = button.dataset.kbResolved;
        if (token) {
          const body = new URLSearchParams({ resultado: outcome });
          await fetch(withToken(root.dataset.outcome, token), {
            method: "POST", body, headers: { "X-CSRFToken": csrfToken() },
          });
        }
        ask.hidden = true;
        thanks.hidden = outcome !== "resolved";
        escalate.hidden = outcome === "resolved";
      });
    });
    root.querySelectorAll("[data-kb-go]").forEach((link) => {
      link.addEventListener("click", async (event) => {
        event.preventDefault();
        state.question = input.value.trim() || state.question;
        const token = await record();
        const template = link.dataset.kbGo === "chat" ? root.dataset.chat : root.dataset.ticket;
        const params = new URLSearchParams({ pregunta: state.question });
        window.location.href = token && template
          ? `${withToken(template, token)}?${params}`
          : `${link.href}?${new URLSearchParams({ asunto: state.question, pregunta: state.question })}`;
      });
    });
    if (input.value.trim()) update();
  }

  function setupTicketSuggestions(box) {
    const form = box.closest("form");
    const subject = form && form.querySelector("[name=subject]");
    const body = form && form.querySelector("[name=body]");
    const list = box.querySelector("[data-kb-results]");
    if (!subject || !body) return;
    let seq = 0;
    const update = debounce(async () => {
      const q = `${subject.value} ${body.value.slice(0, 300)}`.trim();
      const mine = ++seq;
      if (q.length < 4) {
        box.hidden = true;
        return;
      }
      const data = await searchApi(box.dataset.api, box.dataset.lang, q, 5);
      if (mine !== seq) return;
      renderResults(list, data.results, { newTab: true });
      box.hidden = data.results.length === 0;
    }, DEBOUNCE_MS * 2);
    subject.addEventListener("input", update);
    body.addEventListener("input", update);
    if (subject.value || body.value) update();
  }

  function start() {
    document.querySelectorAll("[data-kb-widget]").forEach(setupWidget);
    document.querySelectorAll("[data-kb-ticket-suggestions]").forEach(setupTicketSuggestions);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
