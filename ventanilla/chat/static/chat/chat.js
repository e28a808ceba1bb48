/* Ventanilla live chat: the customer widget, the agent console and the
   presence box of a console ticket. One WebSocket per page part, resumed
   after a drop from the last message seen; messages not yet acknowledged
   are kept (also across reloads) and sent again with the same client id,
   which the server stores once. */
(function () {
  "use strict";
  if (window.ventanillaChatLoaded) return;  // the script is included by several slots
  window.ventanillaChatLoaded = true;

  var stringsNode = document.getElementById("chat-strings");
  var T = stringsNode ? JSON.parse(stringsNode.textContent) : {};

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values && values[key] !== undefined ? values[key] : "";
    });
  }

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function clientId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function csrfToken(form) {
    var input = form && form.querySelector("[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/csrftoken=([^;]+)/);
    return match ? match[1] : "";
  }

  /* A socket that comes back after a drop, with growing pauses. onopen
     runs on every (re)connection; fatal close codes (4403, 4404) stop it. */
  function Socket(pathFn, handlers) {
    var self = this, delay = 500, stopped = false;
    self.ws = null;
    self.connect = function () {
      if (stopped) return;
      var ws = new WebSocket(wsUrl(pathFn()));
      self.ws = ws;
      ws.onopen = function () { delay = 500; if (handlers.open) handlers.open(); };
      ws.onmessage = function (event) { handlers.message(JSON.parse(event.data)); };
      ws.onclose = function (event) {
        if (self.ws !== ws) return;
        if (event.code === 4403 || event.code === 4404) {
          stopped = true;
          if (handlers.fatal) handlers.fatal(event.code);
          return;
        }
        if (handlers.lost) handlers.lost();
        setTimeout(self.connect, delay);
        delay = Math.min(delay * 2, 10000);
      };
    };
    self.send = function (data) {
      if (self.ws && self.ws.readyState === WebSocket.OPEN) {
        self.ws.send(JSON.stringify(data));
        return true;
      }
      return false;
    };
    self.stop = function () { stopped = true; if (self.ws) self.ws.close(); };
    self.connect();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function throttle(fn, ms) {
    var last = 0;
    return function () {
      var now = Date.now();
      if (now - last > ms) { last = now; fn(); }
    };
  }

  /* One conversation log: messages in seq order, pending ones last. */
  function Log(list, ownKind) {
    this.list = list;
    this.ownKind = ownKind;
    this.lastSeq = 0;
    this.bySeq = {};
    this.byClient = {};
  }
  // A message is plain text; only links to this site's help centre (the
  // articles agents insert) become clickable, built node by node: a
  // message can never inject markup.
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  function fillText(node, body) {
    var prefix = T.help_prefix || "/ayuda/", last = 0, match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(body)) !== null) {
      var href = match[0].replace(/[.,;:!?)\]]+$/, ""), url;
      try { url = new URL(href); } catch (error) { continue; }
      if (url.origin !== window.location.origin || url.pathname.indexOf(prefix) !== 0) continue;
      node.appendChild(document.createTextNode(body.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = url.href;
      link.textContent = href;
      link.target = "_blank";
      link.rel = "noopener";
      node.appendChild(link);
      last = match.index + href.length;
    }
    node.appendChild(document.createTextNode(body.slice(last)));
  }

  Log.prototype.label = function (message) {
    if (message.kind === this.ownKind) return T.you;
    if (message.kind === "sistema") return T.system;
    if (message.kind === "nota") return T.note + " · " + message.author;
    return message.author || message.name || "";
  };
  Log.prototype.item = function (kind, who, body, when) {
    var li = document.createElement("div");
    li.className = "chatw__msg chatw__msg--" + kind + (kind === this.ownKind ? " chatw__msg--own" : "");
    var head = document.createElement("span");
    head.className = "chatw__who";
    head.textContent = who + (when ? " · " + when : "");
    var text = document.createElement("span");
    text.className = "chatw__body";
    fillText(text, body);
    li.appendChild(head);
    li.appendChild(text);
    return li;
  };
  Log.prototype.add = function (message) {
    if (this.bySeq[message.seq]) return false;
    var existing = message.client_id && this.byClient[message.client_id];
    var time = message.at ? new Date(message.at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : "";
    var li = this.item(message.kind, this.label(message), message.body, time);
    li.dataset.seq = message.seq;
    if (existing) {
      this.list.replaceChild(li, existing);
      delete this.byClient[message.client_id];
    } else {
      var before = null;
      var items = this.list.children;
      for (var i = 0; i < items.length; i++) {
        var seq = Number(items[i].dataset.seq || Infinity);
        if (seq > message.seq) { before = items[i]; break; }
      }
      this.list.insertBefore(li, before);
    }
    this.bySeq[message.seq] = li;
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.list.scrollTop = this.list.scrollHeight;
    return true;
  };
  Log.prototype.pending = function (id, body) {
    var li = this.item(this.ownKind, T.you, body, T.sending);
    li.classList.add("chatw__msg--pending");
    this.byClient[id] = li;
    this.list.appendChild(li);
    this.list.scrollTop = this.list.scrollHeight;
  };
  Log.prototype.acked = function (id, seq, body, at) {
    var li = this.byClient[id];
    if (!li) return;
    if (this.bySeq[seq]) { li.remove(); } else {
      li.classList.remove("chatw__msg--pending");
      if (typeof body === "string") {  // as stored: passwords and cards hidden
        var text = li.querySelector(".chatw__body");
        text.textContent = "";
        fillText(text, body);
      }
      li.dataset.seq = seq;
      // The time as every other bubble shows it (the ack carries the stored one).
      var time = at ? new Date(at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : "";
      li.querySelector(".chatw__who").textContent = T.you + (time ? " · " + time : "");
      this.bySeq[seq] = li;
      this.lastSeq = Math.max(this.lastSeq, seq);
    }
    delete this.byClient[id];
  };
  Log.prototype.clear = function () {
    this.list.textContent = "";
    this.bySeq = {};
    this.byClient = {};
    this.lastSeq = 0;
  };

  /* A live region's text set only when it changes: the same words set
     again would be read again. */
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  /* Focus a message, a confirmation or a heading that is not a control. */
  function focusOn(node) {
    if (!node) return;
    if (!node.matches("a[href], button, input, select, textarea, [tabindex]")) node.setAttribute("tabindex", "-1");
    node.focus();
  }

  function announce(text) {
    if (window.ventanilla) window.ventanilla.announce(text);
  }

  function showFor(node, text, ms) {
    node.textContent = text;
    node.hidden = false;
    clearTimeout(node._timer);
    node._timer = setTimeout(function () { node.hidden = true; }, ms);
  }

  /* ---------------- Customer widget ---------------- */

  var STORE = "ventanilla-chat";

  function Widget(root) {
    var self = this;
    self.root = root;
    self.panel = root.querySelector("[data-chat-panel]");
    self.built = false;
    self.saved = self.load();
    self.socket = null;
    self.introLoaded = false;
    self.button = root.querySelector("[data-chat-toggle]");
    self.button.addEventListener("click", function () { self.toggle(); });
    document.querySelectorAll("[data-chat-open-widget]").forEach(function (button) {
      button.addEventListener("click", function () { self.toggle(true); });
    });
    if (self.saved.token) {
      self.toggle(true);
      self.enter(self.saved.token);
    } else if (root.hasAttribute("data-open")) {
      self.toggle(true);
    }
  }
  /* The panel's markup lives in a <template> until the chat is first opened. */
  Widget.prototype.build = function () {
    var self = this, root = self.root;
    if (self.built) return;
    self.built = true;
    self.panel.appendChild(root.querySelector("[data-chat-panel-template]").content.cloneNode(true));
    self.intro = root.querySelector("[data-chat-intro]");
    self.room = root.querySelector("[data-chat-room]");
    self.status = root.querySelector("[data-chat-status]");
    self.typing = root.querySelector("[data-chat-typing]");
    self.notice = root.querySelector("[data-chat-notice]");
    self.offer = root.querySelector("[data-chat-offer]");
    self.offerText = root.querySelector("[data-chat-offer-text]");
    self.sendForm = root.querySelector("[data-chat-send]");
    self.input = self.sendForm.querySelector("textarea");
    self.end = root.querySelector("[data-chat-end]");
    self.endButton = root.querySelector("[data-chat-end-button]");
    self.log = new Log(root.querySelector("[data-chat-log]"), "cliente");
    self.panel.querySelectorAll("[data-chat-toggle]").forEach(function (button) {
      button.addEventListener("click", function () { self.minimise(); });
    });
    // Escape in the panel, or on its button while it is open, minimises it.
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !self.panel.hidden) { event.preventDefault(); self.minimise(); }
    });
    self.sendForm.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendMessage();
    });
    self.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); self.sendMessage(); }
    });
    var typing = throttle(function () { if (self.socket) self.socket.send({type: "typing"}); }, 2000);
    self.input.addEventListener("input", typing);
    self.endButton.addEventListener("click", function () { if (self.socket) self.socket.send({type: "close"}); });
    root.querySelector("[data-chat-leave-ticket]").addEventListener("click", function () {
      var body = self.input.value.trim();
      if (!body) {
        body = Array.prototype.map.call(self.log.list.querySelectorAll(".chatw__msg--own .chatw__body"),
          function (node) { return node.textContent; }).join("\n");
      }
      self.leftTicket = true;
      self.socket.send({type: "ticket", body: body || "—"});
    });
    root.querySelector("[data-chat-rate]").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, checked = form.querySelector("[name=rating]:checked");
      self.socket.send({type: "rate", rating: checked ? Number(checked.value) : 0,
                        comment: form.comment.value});
    });
    root.querySelector("[data-chat-transcript]").addEventListener("click", function () {
      self.socket.send({type: "transcript"});
    });
    root.querySelector("[data-chat-new]").addEventListener("click", function () { self.reset(); });
  };
  Widget.prototype.load = function () {
    try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  };
  Widget.prototype.save = function () {
    try { localStorage.setItem(STORE, JSON.stringify(this.saved)); } catch (e) { /* private mode */ }
  };
  Widget.prototype.toggle = function (open) {
    var show = open === undefined ? this.panel.hidden : open;
    if (show) this.build();
    this.panel.hidden = !show;
    this.button.setAttribute("aria-expanded", String(show));
    if (show && !this.saved.token && !this.introLoaded) this.loadIntro();
  };
  /* ✕ or Escape: the panel closes and focus goes back to the chat button. */
  Widget.prototype.minimise = function () {
    this.toggle(false);
    this.button.focus();
  };
  Widget.prototype.loadIntro = function () {
    var self = this;
    self.introLoaded = true;
    fetch(self.root.dataset.panelUrl, {credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        self.intro.innerHTML = html;  // our own server-rendered template
        self.wireStart(self.intro.querySelector("[data-chat-start]"));
      });
  };
  Widget.prototype.wireStart = function (form) {
    var self = this;
    if (!form) return;
    var select = form.querySelector("[data-chat-department]");
    var submit = form.querySelector("[data-chat-submit]");
    var errors = form.querySelector("[data-chat-errors]");
    function agents() {
      var option = select.options[select.selectedIndex];
      return option ? Number(option.dataset.agents) : 0;
    }
    function update() {
      form.querySelectorAll("[data-scope-for]").forEach(function (node) {
        node.hidden = node.dataset.scopeFor !== select.value;
      });
      submit.textContent = agents() > 0 ? T.start_chat : T.leave_ticket;
    }
    select.addEventListener("change", update);
    update();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var asTicket = agents() === 0;
      submit.disabled = true;
      errors.hidden = true;
      fetch(asTicket ? self.root.dataset.ticketUrl : self.root.dataset.beginUrl, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(form)},
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (result) {
        submit.disabled = false;
        if (!result.ok) {
          var messages = [];
          Object.keys(result.data.errors || {}).forEach(function (key) {
            messages = messages.concat(result.data.errors[key]);
          });
          errors.textContent = messages.join(" ");
          errors.hidden = false;  // an alert: read once, focus stays on the button
          return;  // everything typed stays in the form
        }
        if (result.data.token) {
          var first = form.querySelector("[name=message]").value;
          self.intro.hidden = true;
          self.enter(result.data.token, first);
          self.input.focus();  // "Iniciar chat": the next thing to do is to write
        } else {
          self.intro.textContent = "";
          var p = document.createElement("p");
          p.className = "callout callout--ok";
          p.textContent = fmt(T.ticket_created, {number: result.data.number});
          self.intro.appendChild(p);
          focusOn(p);  // the form is gone: its confirmation takes focus
        }
      }).catch(function () { submit.disabled = false; });
    });
  };
  Widget.prototype.enter = function (token) {
    var self = this;
    self.saved.token = token;
    self.saved.pending = self.saved.pending || {};
    self.save();
    self.intro.hidden = true;
    self.room.hidden = false;
    self.log.clear();
    clearInterval(self.poll);
    self.poll = setInterval(function () {
      // The queue moves with events; the "too long" offer needs the clock.
      if (self.waiting && self.socket) self.socket.send({type: "state"});
    }, 30000);
    self.socket = new Socket(function () {
      return "/ws/chat/" + token + "/?after=" + self.log.lastSeq;
    }, {
      open: function () {
        self.status.classList.remove("chatw__status--lost");
        // Whatever was not acknowledged goes again; the server stores it once.
        Object.keys(self.saved.pending).forEach(function (id) {
          if (!self.log.byClient[id]) self.log.pending(id, self.saved.pending[id]);
          self.socket.send({type: "message", body: self.saved.pending[id], client_id: id});
        });
      },
      lost: function () {
        if (self.status.textContent !== T.reconnecting) announce(T.reconnecting);
        setText(self.status, T.reconnecting);
        self.status.classList.add("chatw__status--lost");
      },
      fatal: function () { self.reset(T.unknown_chat); },
      message: function (data) { self.receive(data); },
    });
  };
  Widget.prototype.receive = function (data) {
    var self = this;
    if (data.type === "history") {
      data.messages.forEach(function (m) { self.log.add(m); });
    } else if (data.type === "message") {
      self.log.add(data);
      if (data.kind !== "cliente") self.typing.hidden = true;
      if (data.kind === "agente") {  // someone answered: no "nobody could attend you"
        clearTimeout(self.unansweredTimer);
        self.offer.hidden = true;
      }
    } else if (data.type === "ack") {
      self.log.acked(data.client_id, data.seq, data.body, data.at);
      delete self.saved.pending[data.client_id];
      self.save();
      if (data.notice) showFor(self.notice, data.notice, 15000);
    } else if (data.type === "typing") {
      showFor(self.typing, fmt(T.typing, {name: data.name}), 4000);
    } else if (data.type === "state") {
      self.state(data);
    } else if (data.type === "error") {
      showFor(self.notice, data.message, 8000);
    } else if (data.type === "rated") {
      self.root.querySelector("[data-chat-rate]").hidden = true;
      showFor(self.notice, T.rated, 8000);
    } else if (data.type === "transcript_sent") {
      self.root.querySelector("[data-chat-transcript]").hidden = true;
      showFor(self.notice, fmt(T.transcript_sent, {email: data.email}), 8000);
    } else if (data.type === "ticket_created") {
      var text = fmt(T.ticket_created, {number: data.number});
      if (self.leftTicket) {
        // Asked for with "Dejar como ticket", which hides with the offer: the
        // confirmation (it carries the ticket's number) stays and takes focus.
        self.leftTicket = false;
        clearTimeout(self.notice._timer);
        self.notice.textContent = text;
        self.notice.hidden = false;
        focusOn(self.notice);
      } else {
        showFor(self.notice, text, 30000);
      }
    }
  };
  Widget.prototype.state = function (state) {
    var closed = state.status === "cerrado";
    // Joining and ending are read from the log (its «… se unió al chat.»);
    // entering the queue is announced once, not each move in it.
    if (state.status === "espera" && !this.waiting) {
      announce(fmt(T.waiting, {position: state.position, minutes: state.wait_minutes}));
    }
    this.waiting = state.status === "espera";
    if (state.status === "espera") {
      setText(this.status, fmt(T.waiting, {position: state.position, minutes: state.wait_minutes}));
    } else if (state.status === "activo") {
      // Named only once the agent's console opened the chat.
      setText(this.status, state.agent ? fmt(T.with_agent, {agent: state.agent}) : T.assigned);
    } else {
      setText(this.status, T.closed);
    }
    this.offer.hidden = closed || !state.offer_ticket;
    this.offerText.textContent = state.unanswered ? T.unanswered : T.offer;
    // No agent has answered yet: ask again when the server's time runs out.
    var self = this;
    clearTimeout(self.unansweredTimer);
    if (state.unanswered_in) {
      self.unansweredTimer = setTimeout(function () {
        if (self.socket) self.socket.send({type: "state"});
      }, state.unanswered_in * 1000 + 300);
    }
    this.sendForm.hidden = closed;
    this.endButton.hidden = closed;
    this.end.hidden = !closed;
    this.root.querySelector("[data-chat-rate]").hidden = state.rated;
    this.root.querySelector("[data-chat-transcript]").hidden = state.transcript_sent;
    this.consents(state.consents || []);
  };
  // Consent requests (an agent asks to authorize an action): highlighted,
  // answered with one click; the answer comes back as a notice in the chat.
  Widget.prototype.consents = function (requests) {
    var self = this, box = this.root.querySelector("[data-chat-consents]");
    box.textContent = "";
    box.hidden = requests.length === 0;
    requests.forEach(function (request) {
      var item = document.createElement("div");
      item.className = "callout callout--info small chatw__consent";
      item.setAttribute("role", "group");
      var title = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = T.consent_title;
      title.appendChild(strong);
      var action = document.createElement("p");
      action.textContent = "«" + request.action + "»";
      item.appendChild(title);
      item.appendChild(action);
      [["autorizo", T.consent_yes, "btn btn--small"],
       ["no_autorizo", T.consent_no, "btn btn--small btn--ghost"]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = choice[2];
        button.textContent = choice[1];
        button.addEventListener("click", function () {
          item.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          self.socket.send({type: "consent", id: request.id, decision: choice[0]});
        });
        item.appendChild(button);
        item.appendChild(document.createTextNode(" "));
      });
      box.appendChild(item);
    });
  };
  Widget.prototype.sendMessage = function () {
    var body = this.input.value.trim();
    if (!body || !this.socket) return;
    var id = clientId();
    this.saved.pending[id] = body;  // kept until the server says it stored it
    this.save();
    this.log.pending(id, body);
    this.socket.send({type: "message", body: body, client_id: id});
    this.input.value = "";
  };
  Widget.prototype.reset = function (message) {
    clearInterval(this.poll);
    clearTimeout(this.unansweredTimer);
    if (this.socket) this.socket.stop();
    this.socket = null;
    this.saved = {};
    this.save();
    this.log.clear();
    this.room.hidden = true;
    this.intro.hidden = false;
    this.introLoaded = false;
    this.loadIntro();
    if (message) showFor(this.notice, message, 8000);
  };

  /* ---------------- Agent console ---------------- */

  function Console(root) {
    var self = this;
    self.root = root;
    self.tabs = root.querySelector("[data-chatc-tabs]");
    self.panes = root.querySelector("[data-chatc-panes]");
    self.template = root.querySelector("[data-chatc-pane-template]");
    self.open = {};  // chat id -> {tab, pane, log, ...}
    self.known = null;  // waiting chat ids already announced
    self.active = null;
    self.availability = root.querySelector("[data-chatc-availability]");
    self.max = root.querySelector("[data-chatc-max]");
    self.connection = root.querySelector("[data-chatc-connection]");
    self.title = document.title;

    // A change made before the socket opens (or while it reconnects) is kept
    // and sent on open; until the server confirms it, its state frames do not
    // put the old value back in the agent's select.
    self.unsentAvailability = false;
    self.sendAvailability = function () {
      self.unsentAvailability = !self.socket.send(
        {type: "availability", status: self.availability.value, max_chats: self.max.value});
    };
    // The open chats are tabs (WAI-ARIA tabs): arrows, Home and End move
    // between them and show the chosen one; Tab goes on into its panel.
    self.tabs.addEventListener("keydown", function (event) {
      var tabs = Array.prototype.slice.call(self.tabs.querySelectorAll("[role=tab]"));
      var at = tabs.indexOf(document.activeElement), next = null;
      if (at < 0) return;
      if (event.key === "ArrowRight") next = tabs[(at + 1) % tabs.length];
      else if (event.key === "ArrowLeft") next = tabs[(at - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (!next) return;
      event.preventDefault();
      self.activate(next.dataset.chat);
      next.focus();
    });
    self.availability.addEventListener("change", self.sendAvailability);
    self.max.addEventListener("change", self.sendAvailability);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) document.title = self.title;
    });
    self.socket = new Socket(function () { return "/ws/consola/chat/"; }, {
      open: function () {
        self.connection.textContent = "";
        if (self.unsentAvailability) self.sendAvailability();
        Object.keys(self.open).forEach(function (id) {
          self.socket.send({type: "open", chat: Number(id), after: self.open[id].log.lastSeq});
        });
      },
      lost: function () { self.connection.textContent = T.reconnecting; },
      message: function (data) { self.receive(data); },
    });
    // "Here": chats are offered to an agent only while a console of theirs
    // sends this (ventanilla/chat/presence.py).
    setInterval(function () { self.socket.send({type: "heartbeat"}); },
                Number(root.dataset.heartbeatSeconds || 15) * 1000);
  }
  Console.prototype.alert = function (text) {
    if (document.hidden) document.title = "(!) " + text + " · " + this.title;
    this.root.classList.remove("chatc--alert");
    void this.root.offsetWidth;
    this.root.classList.add("chatc--alert");
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound before the first click: the visual alert stays */ }
  };
  Console.prototype.receive = function (data) {
    var self = this, pane = data.chat && self.open[data.chat];
    if (data.type === "console") {
      self.render(data);
    } else if (data.type === "history" && pane) {
      data.messages.forEach(function (m) { pane.log.add(m); });
    } else if (data.type === "message" && pane) {
      if (pane.log.add(data) && data.kind === "cliente") {
        pane.typing.hidden = true;
        if (self.active !== String(data.chat) || document.hidden) {
          pane.unread += 1;
          self.mark(data.chat);
          self.alert(T.new_message);
        }
      }
    } else if (data.type === "ack" && pane) {
      pane.log.acked(data.client_id, data.seq, data.body, data.at);
      if (data.notice) showFor(pane.notice, data.notice, 15000);
    } else if (data.type === "typing" && pane) {
      showFor(pane.typing, fmt(T.typing, {name: data.name}), 4000);
    } else if (data.type === "converted" && pane) {
      showFor(pane.notice, fmt(T.converted, {number: data.number}), 15000);
      self.loadSide(data.chat);
    } else if (data.type === "error") {
      if (pane) showFor(pane.notice, data.message, 10000);
      else self.connection.textContent = data.message;
    }
  };
  Console.prototype.render = function (state) {
    var self = this;
    if (!self.unsentAvailability) {
      self.availability.value = state.availability;
      if (document.activeElement !== self.max) self.max.value = state.max_chats;
    }
    self.root.dataset.availability = state.availability;  // as the server has it
    var queue = self.root.querySelector("[data-chatc-queue]");
    var mine = self.root.querySelector("[data-chatc-mine]");
    var all = self.root.querySelector("[data-chatc-all]");
    // The lists are drawn again on every state: a keyboard user's place in
    // them (a row's button) is kept, or falls back to the list's heading.
    var lists = [queue, mine, all], kept = null, focused = document.activeElement;
    lists.forEach(function (list) {
      if (focused && list.contains(focused)) {
        var row = focused.closest("[data-chat]");
        kept = {list: list, chat: row ? row.dataset.chat : null};
      }
    });
    lists.forEach(function (list) { list.textContent = ""; });
    self.root.querySelector("[data-chatc-supervisor]").hidden = !state.supervisor;
    var waitingIds = [], live = {};
    state.chats.forEach(function (chat) {
      live[chat.id] = chat;
      if (chat.status === "espera") {
        waitingIds.push(chat.id);
        queue.appendChild(self.row(chat, T.take, function () {
          self.socket.send({type: "take", chat: chat.id});
          self.openTab(chat);
        }));
      }
      if (chat.mine) {
        mine.appendChild(self.row(chat, T.open, function () { self.openTab(chat); }));
        if (!self.open[chat.id]) self.openTab(chat, true);  // assigned to me: opens by itself
      }
      if (state.supervisor && !chat.mine) {
        all.appendChild(self.row(chat, T.open, function () { self.openTab(chat); }));
      }
    });
    [queue, mine, all].forEach(function (list) {
      if (!list.children.length) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = T.empty;
        list.appendChild(li);
      }
    });
    if (kept && !kept.list.contains(document.activeElement)) {
      var again = kept.chat && kept.list.querySelector('[data-chat="' + kept.chat + '"] button');
      if (again) again.focus();
      else if (self.active && self.open[self.active]) self.open[self.active].input.focus();
      else focusOn(kept.list.previousElementSibling || kept.list);
    }
    var fresh = self.known && waitingIds.some(function (id) { return self.known.indexOf(id) < 0; });
    if (fresh) self.alert(T.new_chat);
    self.known = waitingIds;
    Object.keys(self.open).forEach(function (id) {
      var entry = self.open[id], chat = live[id];
      entry.take.hidden = !(chat && chat.status === "espera");
      entry.tab.classList.toggle("chatc__tab--ended", !chat);
      entry.send.hidden = !chat;
    });
  };
  /* What tells two chats of one customer apart: the chat's number, its
     department and when it started. */
  function chatMeta(chat) {
    var started = chat.created_at ? new Date(chat.created_at).toLocaleTimeString(
      [], {hour: "2-digit", minute: "2-digit"}) : "";
    return "#" + chat.id + " · " + chat.department + (started ? " · " + started : "");
  }

  Console.prototype.row = function (chat, label, action) {
    var li = document.createElement("li");
    li.className = "chatc__row";
    li.dataset.chat = chat.id;
    var text = document.createElement("span");
    text.textContent = chat.name + " · " + chatMeta(chat) + (chat.agent ? " · " + chat.agent : "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn--small";
    button.textContent = label;
    button.addEventListener("click", action);
    li.appendChild(text);
    li.appendChild(button);
    return li;
  };
  Console.prototype.openTab = function (chat, background) {
    var self = this, id = String(chat.id);
    if (!self.open[id]) {
      var empty = self.root.querySelector("[data-chatc-empty]");
      if (empty) empty.remove();
      self.tabs.setAttribute("role", "tablist");  // a tablist only once it has tabs
      self.tabs.setAttribute("aria-label", T.open_chats);
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "chatc__tab";
      tab.setAttribute("role", "tab");
      tab.id = "chatc-tab-" + id;
      tab.setAttribute("aria-controls", "chatc-pane-" + id);
      tab.setAttribute("aria-selected", "false");
      tab.tabIndex = -1;
      tab.dataset.chat = id;
      var name = document.createElement("span");
      name.className = "chatc__tab-name";
      name.textContent = chat.name;
      var meta = document.createElement("span");
      meta.className = "chatc__tab-meta";
      meta.textContent = chatMeta(chat);
      var badge = document.createElement("span");
      badge.className = "chatc__unread";
      badge.hidden = true;
      tab.appendChild(name);
      tab.appendChild(meta);
      tab.appendChild(badge);
      tab.addEventListener("click", function () { self.activate(id); });
      self.tabs.appendChild(tab);
      var pane = self.template.content.firstElementChild.cloneNode(true);
      pane.dataset.chat = id;
      pane.id = "chatc-pane-" + id;
      pane.setAttribute("aria-labelledby", tab.id);
      pane.hidden = true;
      self.panes.appendChild(pane);
      var entry = {
        tab: tab, badge: badge, pane: pane, unread: 0,
        log: new Log(pane.querySelector("[data-chat-log]"), "agente"),
        typing: pane.querySelector("[data-chat-typing]"),
        notice: pane.querySelector("[data-chat-notice]"),
        send: pane.querySelector("[data-chat-send]"),
        take: pane.querySelector("[data-chatc-take]"),
        input: pane.querySelector("[data-chat-send] textarea"),
      };
      self.open[id] = entry;
      var input = entry.input;
      function send() {
        var body = input.value.trim();
        if (!body) return;
        var cid = clientId();
        entry.log.pending(cid, body);
        self.socket.send({type: "message", chat: Number(id), body: body, client_id: cid});
        input.value = "";
      }
      entry.send.addEventListener("submit", function (event) { event.preventDefault(); send(); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
      });
      input.addEventListener("input", throttle(function () {
        self.socket.send({type: "typing", chat: Number(id)});
      }, 2000));
      entry.take.addEventListener("click", function () { self.socket.send({type: "take", chat: Number(id)}); });
      pane.querySelector("[data-chatc-convert]").addEventListener("click", function () {
        self.socket.send({type: "convert", chat: Number(id)});
      });
      pane.querySelector("[data-chatc-close]").addEventListener("click", function () {
        self.socket.send({type: "close", chat: Number(id)});
      });
      self.socket.send({type: "open", chat: Number(id), after: 0});
      self.loadSide(id);
    }
    if (!background || !self.active) {
      self.activate(id);
      // Opened or taken by the agent: focus goes to its reply box, and a
      // screen reader hears whose chat it is.
      if (!background) {
        self.open[id].input.focus();
        announce(fmt(T.chat_opened, {name: chat.name}));
      }
    } else { self.open[id].unread += 1; self.mark(id); self.alert(T.new_chat); }
  };
  Console.prototype.loadSide = function (id, form, method) {
    var self = this, entry = self.open[id];
    var url = self.root.dataset.sidebarUrl.replace("/0/", "/" + id + "/");
    var init = {credentials: "same-origin"};
    // The PIN check and the conversion form answer with the sidebar
    // showing their result (or the form's errors).
    if (form && method === "GET") {
      var query = new FormData(form);
      query.delete("csrfmiddlewaretoken");
      url = form.action + "?" + new URLSearchParams(query).toString();
    } else if (form) { url = form.action; init.method = "POST"; init.body = new FormData(form); }
    fetch(url, init).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var side = entry.pane.querySelector("[data-chatc-side]");
        var focused = side.contains(document.activeElement) ? document.activeElement.id : "";
        side.innerHTML = html;  // our own server-rendered template
        // As after an htmx swap: the same field keeps focus, else what the
        // answer marks (an error summary) or its heading takes it.
        var again = focused && document.getElementById(focused);
        if (again) again.focus();
        else if (form && window.ventanilla) window.ventanilla.arrive([side], {swapped: true});
        var canned = side.querySelector("[data-chatc-canned]");
        if (canned) canned.addEventListener("change", function () {
          var option = canned.options[canned.selectedIndex];
          if (option && option.dataset.body) {
            var input = entry.send.querySelector("textarea");
            input.value = (input.value ? input.value + "\n" : "") + option.dataset.body;
            input.focus();
          }
          canned.selectedIndex = 0;
        });
        var transfer = side.querySelector("[data-chatc-transfer]");
        if (transfer) transfer.addEventListener("submit", function (event) {
          event.preventDefault();
          self.socket.send({type: "transfer", chat: Number(id), agent: transfer.agent.value,
                            department: transfer.department.value, note: transfer.note.value});
          transfer.note.value = "";
        });
        var pin = side.querySelector("[data-chatc-pin]");
        if (pin) pin.addEventListener("submit", function (event) {
          event.preventDefault();
          self.loadSide(id, pin);
        });
        // "Insertar artículo": search the help centre as the agent types,
        // a click puts "Title — URL" into the reply at the cursor.
        var kb = side.querySelector("[data-chatc-kb]");
        if (kb) {
          var query = kb.querySelector("[data-chatc-kb-query]");
          var results = kb.querySelector("[data-chatc-kb-results]");
          var search = debounce(function () {
            var q = query.value.trim();
            if (!q) { results.textContent = ""; return; }
            fetch(kb.dataset.chatcKb + "?" + new URLSearchParams({q: q}).toString(),
                  {credentials: "same-origin"})
              .then(function (r) { return r.ok ? r.json() : {results: []}; })
              .then(function (data) {
                results.textContent = "";
                if (!data.results.length) {
                  var none = document.createElement("li");
                  none.className = "muted";
                  none.textContent = T.no_articles;
                  results.appendChild(none);
                }
                data.results.forEach(function (hit) {
                  var li = document.createElement("li");
                  var button = document.createElement("button");
                  button.type = "button";
                  button.className = "btn btn--small btn--ghost";
                  button.textContent = hit.title;
                  button.title = hit.snippet;
                  button.addEventListener("click", function () {
                    var input = entry.send.querySelector("textarea");
                    var text = hit.title + " — " + hit.url;
                    var at = input.selectionStart || input.value.length;
                    var before = input.value.slice(0, at), after = input.value.slice(at);
                    if (before && !/\s$/.test(before)) text = " " + text;
                    input.value = before + text + after;
                    input.focus();
                  });
                  li.appendChild(button);
                  results.appendChild(li);
                });
              });
          }, 300);
          query.addEventListener("input", search);
        }
        var consent = side.querySelector("[data-chatc-consent-form]");
        if (consent) consent.addEventListener("submit", function (event) {
          event.preventDefault();
          self.loadSide(id, consent);
        });
        // "Convertir en ticket" with the category's fields: picking a
        // category reloads its fields (keeping what was typed).
        var convert = side.querySelector("[data-chatc-convert-form]");
        if (convert) {
          convert.querySelector("[data-chatc-convert-category]").addEventListener("change", function () {
            self.loadSide(id, convert, "GET");
          });
          convert.addEventListener("submit", function (event) {
            event.preventDefault();
            self.loadSide(id, convert);
          });
        }
      });
  };
  Console.prototype.mark = function (id) {
    var entry = this.open[id];
    entry.badge.textContent = entry.unread;
    entry.badge.hidden = entry.unread === 0;
    entry.tab.classList.toggle("chatc__tab--unread", entry.unread > 0);
  };
  Console.prototype.activate = function (id) {
    var self = this;
    self.active = id;
    Object.keys(self.open).forEach(function (key) {
      var entry = self.open[key], on = key === id;
      entry.pane.hidden = !on;
      entry.tab.setAttribute("aria-selected", String(on));
      entry.tab.tabIndex = on ? 0 : -1;  // roving tabindex: Tab reaches the chosen tab
      if (on) { entry.unread = 0; self.mark(key); }
    });
  };

  /* ---------------- Presence on a console ticket ---------------- */

  function Presence(root) {
    var list = root.querySelector("[data-presence-list]");
    var people = {}, lost = "";
    function render() {
      list.textContent = "";
      if (lost) {  // the ticket moved away from this agent: the socket closed
        var notice = document.createElement("li");
        notice.setAttribute("data-presence-lost", "");
        notice.textContent = lost;
        list.appendChild(notice);
        return;
      }
      var ids = Object.keys(people);
      if (!ids.length) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = T.only_you;
        list.appendChild(li);
      }
      ids.forEach(function (id) {
        var person = people[id], typing = person.state === "typing" && Date.now() - person.at < 8000;
        var item = document.createElement("li");
        item.className = typing ? "presence__typing" : "";
        item.textContent = fmt(typing ? T.replying : T.viewing, {name: person.name});
        list.appendChild(item);
      });
    }
    setInterval(render, 4000);
    var socket = new Socket(function () { return root.dataset.wsPath; }, {
      open: function () { people = {}; render(); },
      message: function (data) {
        if (data.type === "presence") {
          if (data.state === "left") delete people[data.id];
          else people[data.id] = {name: data.name, state: data.state, at: Date.now()};
          render();
        } else if (data.type === "message") {
          appendTicketMessage(data);
        } else if (data.type === "access_lost") {
          lost = data.message;
          people = {};
          render();
        }
      },
    });
    var reply = document.getElementById("reply-body");
    if (reply) {
      var idle = null;
      reply.addEventListener("input", throttle(function () { socket.send({type: "typing"}); }, 3000));
      reply.addEventListener("input", function () {
        clearTimeout(idle);
        idle = setTimeout(function () { socket.send({type: "viewing"}); }, 6000);
      });
    }
  }

  function appendTicketMessage(message) {
    var list = document.querySelector("ol.conversation");
    if (!list || document.getElementById("msg-" + message.id)) return;
    var li = document.createElement("li");
    li.className = "msg msg--" + message.kind + " msg--new";
    li.id = "msg-" + message.id;
    var head = document.createElement("div");
    head.className = "msg__head";
    var who = document.createElement("span");
    var author = document.createElement("span");
    author.className = "msg__author";
    author.textContent = message.author || "";
    who.appendChild(author);
    who.appendChild(document.createTextNode(" · " + message.kind_label + " "));
    var label = document.createElement("strong");
    label.className = "msg__new-label";
    label.textContent = T.new_message;
    who.appendChild(label);
    var time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = new Date(message.at).toLocaleString();
    head.appendChild(who);
    head.appendChild(time);
    var body = document.createElement("div");
    body.className = "msg__body";
    body.textContent = message.body;
    li.appendChild(head);
    li.appendChild(body);
    list.appendChild(li);
  }

  function start() {
    document.querySelectorAll("[data-chat-widget]").forEach(function (root) { new Widget(root); });
    document.querySelectorAll("[data-chat-console]").forEach(function (root) { new Console(root); });
    document.querySelectorAll("[data-presence]").forEach(function (root) { new Presence(root); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
