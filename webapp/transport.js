/*
 * longpoll-chat: the transport. Joins a room, holds the long poll, sends, backs off, and shares
 * one member and one poll among the browser's tabs of a room (docs/protocol.md, "Many tabs, one
 * member"). The view (chat.js) sees no clientId: only names, events and states.
 *
 * How the tabs of a room share:
 *  - the client (clientId, name, cursor) lives in localStorage under "longpoll-chat:ROOM";
 *  - the tab holding the Web Lock of that name is the leader: it alone polls, and posts every
 *    batch and its connection state on the BroadcastChannel of that name; the others show what
 *    it posts, and send with ordinary requests of their own;
 *  - every join, new or resumed, runs under the lock "longpoll-chat:ROOM:join" and reads the
 *    stored client inside it, so tabs opened together make one member, not one each; a join
 *    that made a new client is posted to every tab;
 *  - the leader's pagehide asks for the grace leave, as a lone tab's does. When other tabs remain,
 *    the lock passes to one of them at once, and its first poll, from the stored cursor, cancels
 *    that leave; followers never leave. So only the last tab to close makes the member leave.
 * A tab is alone, as in v1, where the browser lacks Web Locks or BroadcastChannel, or when it is
 * opened as another name than the member a live tab of this browser already is in the room: its
 * client is then in sessionStorage, so a reload keeps it alone.
 *
 * One poll loop at a time: every loop carries a generation number, and a callback whose
 * generation is stale does nothing. The same goes for joins.
 */
const APP = 'longpoll-chat';
const REQUEST_TIMEOUT_MS = 15000;   // join and send; a poll gets pollTimeoutMs on top of this
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
// After a 410 our old client is gone, but its name may be released a moment later.
const NAME_TAKEN_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

// The server compares names by NFC + lower case; near enough for "is this still me?".
function sameName(a, b) {
  return a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();
}

// which: 'localStorage' or 'sessionStorage'. Touching either may throw where storage is disabled.
function read(which, key) {
  try {
    const saved = JSON.parse(window[which].getItem(key));
    return saved && typeof saved.clientId === 'string' && typeof saved.name === 'string' ? saved : null;
  } catch (e) {
    return null;   // storage disabled or garbled: start afresh
  }
}

function localStorageWorks() {
  try {
    window.localStorage.getItem(APP);
    return true;
  } catch (e) {
    return false;   // disabled, as some privacy settings do: each tab alone
  }
}

// The JSON error body ({error, message}) of a failed request, or null.
function serverError(xhr) {
  let body = xhr.responseJSON;
  if (!body) {
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
  }
  return body && typeof body.message === 'string' ? body : null;
}

// No answer, or the server is in trouble (503 server_full, shutting_down…): try again later.
function isTransient(xhr) {
  return xhr.status === 0 || xhr.status >= 500;
}

/*
 * view: {joined(res, redraw), events(list), status({conn, joining, leader}), askName(name, message), left(name)}.
 * res is /join's answer without its clientId. conn: connecting | connected | reconnecting | paused.
 */
export function connect(room, view) {
  const key = APP + ':' + room;
  const canShare = !!navigator.locks && typeof BroadcastChannel === 'function' && localStorageWorks();

  let store = 'sessionStorage';        // 'localStorage' once the tab shares its member
  let channel = null;
  let leader = false;
  let clientId = null;
  let myName = null;
  let cursor = 0;                      // id of the last event processed (the leader's is stored)
  let pollTimeoutMs = 30000;
  let conn = 'connecting';
  let joining = false;
  let joinGen = 0;
  let pollGen = 0;
  let pollXhr = null;
  let failures = 0;                    // consecutive failed requests, for the backoff
  let retryTimer = null;
  let retryFn = null;                  // what the pending retry runs (run early when back online)
  let drawn = false;                   // the view has had its first join
  let early = [];                      // events the leader posted before that

  // ---- Storage and the other tabs ------------------------------------------------------------

  function save() {
    try {
      window[store].setItem(key, JSON.stringify({ clientId: clientId, name: myName, room: room, cursor: cursor }));
    } catch (e) {
      // Storage full or disabled: the chat works, a reload just won't resume.
    }
  }

  function post(message) {
    if (channel) {
      channel.postMessage(message);
    }
  }

  // Runs task (which returns a promise) while holding the lock `name`; a lone tab needs none.
  function exclusive(name, task) {
    return channel ? navigator.locks.request(name, task) : Promise.resolve().then(task);
  }

  function lead() {
    navigator.locks.request(key, function () {
      leader = true;
      report();
      if (clientId && !joining && conn !== 'paused') {
        startPolling();
      }
      return new Promise(function () {});   // held until the tab goes away
    });
  }

  function onMessage(e) {
    const m = e.data;
    if (m.type === 'events') {
      if (drawn) {
        view.events(m.messages);
      } else {
        early = early.concat(m.messages);
      }
    } else if (m.type === 'joined') {
      joinGen++;   // another tab's join settles ours: it is the same member
      cancelRetry();
      joining = false;
      onJoined(m.res, m.redraw);
    } else if (m.type === 'state' && !leader) {
      conn = m.conn;
      report();
    } else if (m.type === 'hello' && leader && clientId) {
      post({ type: 'state', conn: conn });
    } else if (m.type === 'gone' && leader) {
      rejoin();
    } else if (m.type === 'use-here' && leader) {
      useHere();
    } else if (m.type === 'left') {
      forgetClient();
    }
  }

  // ---- State ---------------------------------------------------------------------------------

  function report() {
    view.status({ conn: conn, joining: joining, leader: leader });
  }

  function setConn(state) {
    if (leader && state !== conn) {
      post({ type: 'state', conn: state });
    }
    conn = state;
    report();
  }

  // 1 s doubling to 30 s, each delay drawn from its upper half so that clients spread out.
  function backoffDelay() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, failures));
    failures++;
    return base / 2 + Math.random() * base / 2;
  }

  function scheduleRetry(fn, delayMs) {
    cancelRetry();
    retryFn = fn;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      retryFn = null;
      fn();
    }, delayMs === undefined ? backoffDelay() : delayMs);
  }

  function cancelRetry() {
    window.clearTimeout(retryTimer);
    retryTimer = null;
    retryFn = null;
  }

  // ---- Joining -------------------------------------------------------------------------------

  /*
   * POST join, resuming the stored client when it has this name. opts:
   *   name; redraw: clear the list and draw the history afresh (reload, "Use here"), otherwise
   *   append only what we lack, with a gap notice (rejoin after 410); auto: retry network errors
   *   and 5xx with backoff (no user is waiting at a form); nameTakenTries: how many of
   *   NAME_TAKEN_RETRY_DELAYS_MS to use on 409; share: post the answer to the other tabs even
   *   when it resumed ("Use here": they redraw too).
   */
  function join(opts) {
    stopPolling();
    const gen = ++joinGen;
    joining = true;
    report();
    exclusive(key + ':join', function () {
      if (gen !== joinGen) {
        return null;   // another tab's join, posted to us meanwhile, made this one moot
      }
      const saved = read(store, key);
      const data = { name: opts.name, room: room };
      if (saved && sameName(saved.name, opts.name)) {
        data.clientId = saved.clientId;
      }
      return Promise.resolve($.ajax({
        type: 'POST', url: 'join', data: data, dataType: 'json', timeout: REQUEST_TIMEOUT_MS
      })).then(function (res) {
        if (gen !== joinGen) {
          return;
        }
        joining = false;
        failures = 0;
        const fresh = !saved || saved.clientId !== res.clientId;
        onJoined(res, opts.redraw);
        if (fresh) {
          save();   // inside the lock: the next tab's join resumes this client
        }
        if (fresh || opts.share) {
          post({ type: 'joined', res: res, redraw: opts.redraw });
        }
      }, function (xhr) {
        if (gen === joinGen) {
          joinFailed(opts, xhr);
        }
      });
    });
  }

  function joinFailed(opts, xhr) {
    const err = serverError(xhr);
    const tries = opts.nameTakenTries || 0;
    if (xhr.status === 409 && tries > 0) {
      const delay = NAME_TAKEN_RETRY_DELAYS_MS[NAME_TAKEN_RETRY_DELAYS_MS.length - tries];
      scheduleRetry(function () {
        join($.extend({}, opts, { nameTakenTries: tries - 1 }));
      }, delay);
    } else if (isTransient(xhr) && opts.auto) {
      setConn('reconnecting');
      scheduleRetry(function () { join(opts); });
    } else {
      // A person has to act: a taken or invalid name, or no server to talk to.
      joining = false;
      conn = 'connecting';   // shown as "Not joined" until the form is sent
      report();
      view.askName(opts.name, err ? err.message
        : 'Could not reach the chat server. Check your connection and try again.');
    }
  }

  // Our join, or another tab's posted to us: res is /join's answer.
  function onJoined(res, redraw) {
    clientId = res.clientId;
    myName = res.name;
    cursor = res.cursor;   // the leader's poll starts from the stored cursor if that is newer
    pollTimeoutMs = res.pollTimeoutMs || pollTimeoutMs;
    const shown = $.extend({}, res);
    delete shown.clientId;
    view.joined(shown, redraw);
    if (!drawn) {
      drawn = true;
      view.events(early);
      early = [];
    }
    if (leader) {
      setConn('connected');
      startPolling();
    } else {
      conn = 'connected';   // until the leader says otherwise (it answers hello)
      report();
      post({ type: 'hello' });
    }
  }

  // After 410 (expired or evicted): a new client under the same name, filling the gap; or the
  // client another tab made meanwhile (the join resumes what is stored).
  function rejoin() {
    if (joining || !clientId) {
      return;   // already at it, or the member left on purpose
    }
    setConn('reconnecting');
    join({ name: myName, redraw: false, auto: true, nameTakenTries: NAME_TAKEN_RETRY_DELAYS_MS.length });
  }

  // ---- Polling (the leader only) -------------------------------------------------------------

  function stopPolling() {
    pollGen++;
    cancelRetry();
    if (pollXhr) {
      const xhr = pollXhr;
      pollXhr = null;
      xhr.abort();
    }
  }

  function startPolling() {
    stopPolling();
    const saved = read(store, key);
    if (saved && saved.clientId === clientId && saved.cursor > cursor) {
      cursor = saved.cursor;   // a leader taking over starts where the last one stopped
    }
    poll(pollGen);
  }

  function poll(gen) {
    if (gen !== pollGen) {
      return;
    }
    pollXhr = $.ajax({
      type: 'GET',
      url: 'get_msg',
      data: { clientId: clientId, cursor: cursor },
      cache: false,   // a unique URL per poll, or the browser queues another browser's poll
      dataType: 'json',
      timeout: pollTimeoutMs + REQUEST_TIMEOUT_MS
    });
    pollXhr.done(function (res) {
      if (gen !== pollGen) {
        return;
      }
      pollXhr = null;
      failures = 0;
      if (res.superseded) {
        stopPolling();   // another browser (or a lone tab) polls with our clientId
        setConn('paused');
        return;
      }
      setConn('connected');
      if (res.status) {
        const messages = res.messages || [];
        post({ type: 'events', messages: messages });   // before the cursor is stored: a new leader polls from there
        view.events(messages);
        cursor = res.cursor;
        save();
      }
      poll(gen);   // at once: the next poll acknowledges this batch
    }).fail(function (xhr) {
      if (gen !== pollGen) {
        return;   // aborted on purpose, or a loop we have replaced
      }
      pollXhr = null;
      const err = serverError(xhr);
      if (xhr.status === 410 || (err && err.error === 'invalid_client_id')) {
        rejoin();
        return;
      }
      setConn('reconnecting');
      scheduleRetry(function () { poll(gen); });
    });
  }

  function useHere() {
    if (!leader) {
      post({ type: 'use-here' });
    } else if (!joining) {
      join({ name: myName, redraw: true, auto: true, share: true });
    }
  }

  // The member left (here or in another tab): back to the form, keeping what is shown.
  function forgetClient() {
    stopPolling();
    joinGen++;
    joining = false;
    clientId = null;
    conn = 'connecting';
    report();
    view.left(myName);
  }

  // ---- Start ---------------------------------------------------------------------------------

  function begin(shared, urlName) {
    if (shared) {
      store = 'localStorage';
      channel = new BroadcastChannel(key);
      channel.onmessage = onMessage;
      lead();
    } else {
      leader = true;
    }
    report();
    const saved = read(store, key);
    const name = urlName && urlName.trim() ? urlName : saved && saved.name;
    if (name) {
      join({ name: name, redraw: true, auto: true });
    } else {
      view.askName('');
    }
  }

  // Closing the tab: the leader asks to leave after 5 s, which a reload or the next leader's
  // poll cancels. A paused member is used elsewhere, so it must not end it.
  window.addEventListener('pagehide', function () {
    if (!leader || !clientId || conn === 'paused') {
      return;
    }
    stopPolling();
    navigator.sendBeacon('leave', new URLSearchParams({ clientId: clientId, grace: '5' }));
  });

  // Back from the back/forward cache: our poll loop was stopped in pagehide.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted && leader && clientId && conn !== 'paused' && !joining) {
      startPolling();
    }
  });

  return {
    /* Joins as urlName (or resumes the stored client), sharing with the other tabs if it can. */
    start: function (urlName) {
      const alone = read('sessionStorage', key);
      const shared = canShare ? read('localStorage', key) : null;
      if (!canShare || (alone && (!urlName || sameName(urlName, alone.name)))) {
        begin(false, urlName);
      } else if (!urlName || !shared || sameName(urlName, shared.name)) {
        begin(true, urlName);
      } else {
        // Another name than this browser's member here: alone while a tab of that member is open.
        navigator.locks.query().then(function (locks) {
          begin(!locks.held.some(function (lock) { return lock.name === key; }), urlName);
        }, function () {
          begin(true, urlName);
        });
      }
    },

    join: function (name) {
      // Not a redraw: after a failed rejoin the list still holds what we have seen.
      join({ name: name, redraw: false, auto: false });
    },

    canSend: function () {
      return !!clientId && !joining && conn !== 'paused';
    },

    /* POST send_msg; resolves when the server accepted it, rejects with {status, error}. */
    send: function (text, msgId) {
      return Promise.resolve($.ajax({
        type: 'POST',
        url: 'send_msg',
        data: { clientId: clientId, text: text, msgId: msgId },
        dataType: 'json',
        timeout: REQUEST_TIMEOUT_MS
      })).catch(function (xhr) {
        if (xhr.status === 410) {
          if (leader) {
            rejoin();
          } else {
            post({ type: 'gone' });
          }
        }
        throw { status: xhr.status, error: serverError(xhr) };
      });
    },

    useHere: useHere,

    /* Leaves the room at once, in every tab. */
    leave: function () {
      const id = clientId;
      try {
        window[store].removeItem(key);
      } catch (e) {
        // storage disabled: nothing was kept
      }
      post({ type: 'left' });
      forgetClient();
      if (id) {
        $.ajax({ type: 'POST', url: 'leave', data: { clientId: id }, timeout: REQUEST_TIMEOUT_MS });
      }
    },

    /* The browser is back online: no point waiting out the backoff. */
    online: function () {
      failures = 0;
      const fn = retryFn;
      if (fn) {
        cancelRetry();
        fn();
      }
    }
  };
}
