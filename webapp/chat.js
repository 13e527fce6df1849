/*
 * longpoll-chat: the browser page.
 *
 * Joins a room, long-polls GET get_msg for new events and sends with POST send_msg.
 * The wire protocol is described in docs/protocol.md; the comments below say why, not what.
 *
 * Rules this file keeps everywhere:
 *  - user text goes into the page with .text() only, never as HTML;
 *  - URLs are relative, so the page works under any context path;
 *  - one poll loop at a time: every loop carries a generation number, and a callback
 *    whose generation is stale does nothing.
 */
$(function () {
  'use strict';

  var APP = 'longpoll-chat';
  var REQUEST_TIMEOUT_MS = 15000;   // join and send; a poll gets pollTimeoutMs on top of this
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  // After a 410 our old client is gone, but its name may be released a moment later.
  var NAME_TAKEN_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

  var params = new URLSearchParams(window.location.search);
  var room = params.get('room') || 'lobby';
  var storageKey = APP + ':' + room;   // one saved session per room and tab

  // ---- State ----------------------------------------------------------------------------

  var clientId = null;          // the secret from /join; null until joined
  var myName = null;            // our name as the server normalised it
  var cursor = 0;               // id of the last event we have processed
  var pollTimeoutMs = 30000;    // from /join
  var lastShownId = 0;          // newest event id on screen; ids arrive in order
  var lastShown = null;         // that event itself, to tell a room that began again
  var members = [];             // names of the room's live clients (in a big room, those we know)
  var memberCount = 0;          // how many live clients the room has

  var conn = 'connecting';      // connecting | connected | reconnecting | paused
  var joining = false;          // a /join is in flight or waiting to be retried
  var joinGen = 0;
  var pollGen = 0;              // bumped to stop the current poll loop
  var pollXhr = null;

  var failures = 0;             // consecutive failed requests, for the backoff
  var retryTimer = null;
  var retryFn = null;           // what the pending retry will run (run early when back online)

  var unread = 0;               // messages that arrived while the tab was hidden
  var outbox = [];              // our sends: {msgId, text, state: queued|sending|failed, $el}
  var sending = false;          // sends go one at a time, so they keep their order

  // ---- Elements -------------------------------------------------------------------------

  var $status = $('[data-testid="status"]');
  var $statusLabel = $status.find('.status-label');
  var $joinView = $('#join-view');
  var $joinForm = $('#join-form');
  var $nameInput = $('[data-testid="name-input"]');
  var $joinButton = $('[data-testid="join-button"]');
  var $joinError = $('#join-error');
  var $chatView = $('#chat-view');
  var $banner = $('#paused-banner');
  var $members = $('[data-testid="members"]');
  var $memberCount = $('#member-count');
  var $log = $('#log');
  var $messages = $('[data-testid="messages"]');
  var $outbox = $('#outbox');
  var $composer = $('#composer');
  var $input = $('[data-testid="message-input"]');
  var $sendButton = $('[data-testid="send-button"]');
  var $composeError = $('#compose-error');

  // ---- Session storage ------------------------------------------------------------------

  function loadSession() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(storageKey));
      return saved && typeof saved.clientId === 'string' && typeof saved.name === 'string' ? saved : null;
    } catch (e) {
      return null;   // storage disabled or garbled: start afresh
    }
  }

  function saveSession() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify({
        clientId: clientId, name: myName, room: room, cursor: cursor
      }));
    } catch (e) {
      // Storage full or disabled: the chat works, a reload just won't resume.
    }
  }

  // ---- Small helpers --------------------------------------------------------------------

  // The JSON error body ({error, message}) of a failed request, or null.
  function serverError(xhr) {
    var body = xhr.responseJSON;
    if (!body) {
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    }
    return body && typeof body.message === 'string' ? body : null;
  }

  // No answer, or the server is in trouble (503 server_full, shutting_down…): try again later.
  function isTransient(xhr) {
    return xhr.status === 0 || xhr.status >= 500;
  }

  // 1 s doubling to 30 s, each delay drawn from its upper half so that clients spread out.
  function backoffDelay() {
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, failures));
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

  function retryNow() {
    var fn = retryFn;
    if (fn) {
      cancelRetry();
      fn();
    }
  }

  // msgId: 128 random bits as hex, well inside the protocol's 1-64 chars of [A-Za-z0-9_-].
  function newMsgId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }

  function twoDigits(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function timeElement(ts) {
    var $time = $('<time class="time">');
    if (typeof ts === 'number' && isFinite(ts)) {
      var d = new Date(ts);
      $time.attr('datetime', d.toISOString())
        .attr('title', d.toLocaleString())
        .text(twoDigits(d.getHours()) + ':' + twoDigits(d.getMinutes()));
    }
    return $time;
  }

  // The server compares names by NFC + lower case; near enough for "is this still me?".
  function sameName(a, b) {
    return a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();
  }

  // ---- Connection state and title -------------------------------------------------------

  var STATUS_LABELS = {
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
    paused: 'Paused'
  };

  function setConn(state) {
    conn = state;
    renderStatus();
  }

  function renderStatus() {
    // The browser's own "no network" wins, except over paused: a paused tab is idle anyway.
    var state = conn !== 'paused' && navigator.onLine === false ? 'offline' : conn;
    var label = STATUS_LABELS[state];
    if (state === 'connecting' && !joining) {
      label = 'Not joined';   // waiting for the user to pick a name
    }
    $status.attr('data-state', state);
    $statusLabel.text(label);
  }

  function updateTitle() {
    var title = room + ' — ' + APP;
    document.title = unread > 0 ? '(' + unread + ') ' + title : title;
  }

  // ---- Views ----------------------------------------------------------------------------

  function showJoinForm(name, message) {
    $chatView.prop('hidden', true);
    $joinView.prop('hidden', false);
    $joinButton.prop('disabled', false);
    if (name !== undefined && name !== null) {
      $nameInput.val(name);
    }
    $joinError.text(message || '').prop('hidden', !message);
    renderStatus();
    $nameInput.trigger('focus');
  }

  function showChat() {
    $joinView.prop('hidden', true);
    $chatView.prop('hidden', false);
  }

  function setPausedUi(isPaused) {
    $banner.prop('hidden', !isPaused);
    $input.prop('disabled', isPaused);
    $sendButton.prop('disabled', isPaused);
  }

  function showComposeError(message) {
    $composeError.text(message).prop('hidden', false);
  }

  function hideComposeError() {
    $composeError.text('').prop('hidden', true);
  }

  // ---- Rendering events -----------------------------------------------------------------

  function isNearBottom() {
    var log = $log[0];
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  function scrollToBottom() {
    var log = $log[0];
    log.scrollTop = log.scrollHeight;
  }

  function eventElement(ev) {
    var $li = $('<li>').attr('data-id', ev.id);
    if (ev.type === 'message') {
      $li.addClass('msg').toggleClass('own', ev.name === myName);
      $li.append(
        $('<div class="meta">').append($('<span class="sender">').text(ev.name), timeElement(ev.ts)),
        $('<div class="text">').text(ev.text)
      );
    } else {
      var what = ev.type === 'presence' ? presenceText(ev)
        : ev.name + (ev.type === 'join' ? ' joined' : ev.type === 'leave' ? ' left' : ' (' + ev.type + ')');
      $li.addClass('event event-' + ev.type).append(
        $('<span class="event-text">').text(what), timeElement(ev.ts)
      );
    }
    return $li;
  }

  // "ann, bob and 3 others joined": a big room's joins and leaves, summed up by the server.
  function presenceText(ev) {
    var joined = ev.joined || [];
    var left = ev.left || [];
    var more = ev.more || 0;
    function names(list, others) {
      if (others === 0) {
        return list.length > 1 ? list.slice(0, -1).join(', ') + ' and ' + list[list.length - 1] : list.join('');
      }
      return list.join(', ') + ' and ' + others + (others === 1 ? ' other' : ' others');
    }
    if (left.length === 0) {
      return names(joined, more) + ' joined';
    }
    if (joined.length === 0) {
      return names(left, more) + ' left';
    }
    return names(joined, 0) + ' joined, ' + names(left, 0) + ' left' + (more > 0 ? ', and ' + more + ' more came or went' : '');
  }

  // Appends the events not on screen yet. `live` events come from polls: they also update
  // the members list (history is already reflected in /join's `members`) and the unread count.
  function renderEvents(events, live) {
    var stick = isNearBottom();
    var membersChanged = false;
    events.forEach(function (ev) {
      if (ev.id <= lastShownId) {
        return;   // a batch sent again after a lost response, or history we already have
      }
      lastShownId = ev.id;
      lastShown = ev;
      $messages.append(eventElement(ev));
      if (ev.type === 'message' && ev.name === myName) {
        stick = true;   // always follow our own messages
      }
      if (live) {
        membersChanged = applyMembership(ev) || membersChanged;
        if (document.hidden && ev.type === 'message' && ev.name !== myName) {
          unread++;
        }
      }
    });
    if (membersChanged) {
      renderMembers();
    }
    updateTitle();
    if (stick) {
      scrollToBottom();
    }
  }

  function clearMessages() {
    $messages.empty();
    lastShownId = 0;
    lastShown = null;
  }

  function showGap() {
    $messages.append($('<li class="gap" data-testid="gap">').text('Some messages may have been missed'));
  }

  function applyMembership(ev) {
    if (ev.type === 'join') {
      // Our own join comes back as an event too: /join's members already count it.
      if (members.indexOf(ev.name) < 0) {
        members.push(ev.name);
        memberCount++;
      }
      return true;
    }
    if (ev.type === 'leave') {
      removeMember(ev.name);
      memberCount = Math.max(memberCount - 1, members.length);
      return true;
    }
    if (ev.type === 'presence') {
      (ev.joined || []).forEach(addMember);
      (ev.left || []).forEach(removeMember);
      memberCount = ev.count;
      return true;
    }
    return false;
  }

  function addMember(name) {
    if (members.indexOf(name) < 0) {
      members.push(name);
    }
  }

  function removeMember(name) {
    var i = members.indexOf(name);
    if (i >= 0) {
      members.splice(i, 1);
    }
  }

  function renderMembers() {
    var sorted = members.slice().sort(function (a, b) {
      return a.localeCompare(b, undefined, { sensitivity: 'base' });
    });
    $members.empty();
    sorted.forEach(function (name) {
      // The text must be exactly the name: "(you)" comes from CSS, not the text.
      $members.append($('<li>').text(name).toggleClass('me', name === myName));
    });
    // In a big room the list holds only the names we know; the count is the room's.
    $memberCount.text('(' + Math.max(memberCount, members.length) + ')');
  }

  // ---- Joining --------------------------------------------------------------------------

  /*
   * POST join. opts:
   *   name, clientId (to resume),
   *   redraw: clear the list and draw the history afresh (reload, "Use here");
   *           otherwise append only what we lack, with a gap notice (rejoin after 410),
   *   auto:   retry network errors and 5xx with backoff (no user is waiting at a form),
   *   nameTakenTries: how many of NAME_TAKEN_RETRY_DELAYS_MS to use on 409.
   */
  function join(opts) {
    stopPolling();
    var gen = ++joinGen;
    joining = true;
    renderStatus();
    var data = { name: opts.name, room: room };
    if (opts.clientId) {
      data.clientId = opts.clientId;
    }
    $.ajax({
      type: 'POST',
      url: 'join',
      data: data,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS
    }).done(function (res) {
      if (gen !== joinGen) {
        return;
      }
      joining = false;
      failures = 0;
      onJoined(res, opts.redraw);
    }).fail(function (xhr) {
      if (gen !== joinGen) {
        return;
      }
      var err = serverError(xhr);
      var tries = opts.nameTakenTries || 0;
      if (xhr.status === 409 && tries > 0) {
        var delay = NAME_TAKEN_RETRY_DELAYS_MS[NAME_TAKEN_RETRY_DELAYS_MS.length - tries];
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
        showJoinForm(opts.name, err ? err.message
          : 'Could not reach the chat server. Check your connection and try again.');
      }
    });
  }

  // The room was forgotten, or the server restarted, and its ids began again at 1: its cursor
  // is behind what we show, or the event it has under our newest id is another one. (The
  // ids alone would make us skip the new room's first events as "already shown".)
  function roomStartedOver(roomCursor, history) {
    if (roomCursor < lastShownId) {
      return true;
    }
    var same = history.filter(function (ev) { return ev.id === lastShownId; })[0];
    return !!same && !!lastShown && (same.ts !== lastShown.ts || same.type !== lastShown.type
      || same.name !== lastShown.name || same.text !== lastShown.text);
  }

  function onJoined(res, redraw) {
    clientId = res.clientId;
    myName = res.name;
    room = res.room || room;
    cursor = res.cursor;
    pollTimeoutMs = res.pollTimeoutMs || pollTimeoutMs;
    saveSession();

    var history = res.history || [];
    var startedOver = !redraw && lastShownId > 0 && roomStartedOver(res.cursor, history);
    if (redraw || startedOver) {
      clearMessages();
      if (startedOver) {
        // What we had not yet received from the room's former life is gone: say so.
        showGap();
      }
    } else if (lastShownId > 0) {
      var firstAvailable = history.length > 0 ? history[0].id : res.cursor + 1;
      if (firstAvailable > lastShownId + 1) {
        showGap();
      }
    }
    renderEvents(history, false);
    members = (res.members || []).slice();
    memberCount = res.memberCount || members.length;
    renderMembers();

    showChat();
    setPausedUi(false);
    setConn('connected');
    if (redraw) {
      scrollToBottom();
    }
    startPolling();
    sendNext();   // sends queued while we were away
  }

  // After 410 (expired or evicted): a new client under the same name, filling the gap.
  function rejoin() {
    if (joining || !myName) {
      return;
    }
    setConn('reconnecting');
    join({ name: myName, redraw: false, auto: true, nameTakenTries: NAME_TAKEN_RETRY_DELAYS_MS.length });
  }

  // ---- Polling --------------------------------------------------------------------------

  function stopPolling() {
    pollGen++;
    cancelRetry();
    if (pollXhr) {
      var xhr = pollXhr;
      pollXhr = null;
      xhr.abort();
    }
  }

  function startPolling() {
    stopPolling();
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
      cache: false,   // a unique URL per poll, or the browser queues a second tab's poll
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
        pause();
        return;
      }
      setConn('connected');
      if (res.status) {
        renderEvents(res.messages || [], true);
        cursor = res.cursor;
        saveSession();
      }
      poll(gen);   // at once: the next poll acknowledges this batch
    }).fail(function (xhr) {
      if (gen !== pollGen) {
        return;   // aborted on purpose, or a loop we have replaced
      }
      pollXhr = null;
      var err = serverError(xhr);
      if (xhr.status === 410 || (err && err.error === 'invalid_client_id')) {
        rejoin();
        return;
      }
      setConn('reconnecting');
      scheduleRetry(function () { poll(gen); });
    });
  }

  // Another tab polls with our clientId: step aside until the user says otherwise.
  function pause() {
    stopPolling();
    setConn('paused');
    setPausedUi(true);
  }

  function useHere() {
    if (joining) {
      return;
    }
    join({ name: myName, clientId: clientId, redraw: true, auto: true });
  }

  // ---- Sending --------------------------------------------------------------------------

  function entryElement(entry) {
    var $retry = $('<button type="button" class="retry">').text('Retry');
    var $discard = $('<button type="button" class="discard">').text('Discard');
    $retry.on('click', function () {
      setEntryState(entry, 'queued');
      sendNext();
    });
    $discard.on('click', function () {
      removeEntry(entry);
    });
    return $('<li class="pending">').append(
      $('<div class="text">').text(entry.text),
      $('<div class="pending-status">').append($('<span class="pending-label">'), $retry, $discard)
    );
  }

  function setEntryState(entry, state) {
    entry.state = state;
    var failed = state === 'failed';
    entry.$el.toggleClass('failed', failed);
    if (failed) {
      entry.$el.attr('data-testid', 'failed-send');
    } else {
      entry.$el.removeAttr('data-testid');
    }
    entry.$el.find('.pending-label').text(failed ? 'Not sent' : 'Sending…');
    entry.$el.find('button').prop('hidden', !failed);
  }

  function removeEntry(entry) {
    outbox.splice(outbox.indexOf(entry), 1);
    entry.$el.remove();
  }

  function submitMessage() {
    var text = $input.val();
    if (!text.trim() || conn === 'paused') {
      return;
    }
    hideComposeError();
    var same = outbox.filter(function (e) { return e.text === text; })[0];
    if (same) {
      // The same text again: retry a failed one with its msgId (the server may have
      // accepted it after all); ignore a double press while it is still on its way.
      if (same.state === 'failed') {
        setEntryState(same, 'queued');
        sendNext();
      }
      return;
    }
    var entry = { msgId: newMsgId(), text: text, state: 'queued' };
    entry.$el = entryElement(entry);
    setEntryState(entry, 'queued');
    outbox.push(entry);
    $outbox.append(entry.$el);
    scrollToBottom();
    sendNext();
  }

  function sendNext() {
    if (sending || joining || !clientId || conn === 'paused') {
      return;
    }
    var entry = outbox.filter(function (e) { return e.state === 'queued'; })[0];
    if (!entry) {
      return;
    }
    sending = true;
    setEntryState(entry, 'sending');
    $.ajax({
      type: 'POST',
      url: 'send_msg',
      data: { clientId: clientId, text: entry.text, msgId: entry.msgId },
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS
    }).done(function () {
      // The message itself comes back through get_msg, like everyone else's.
      removeEntry(entry);
      hideComposeError();
      if ($input.val() === entry.text) {
        $input.val('');
      }
    }).fail(function (xhr) {
      var err = serverError(xhr);
      var permanent = xhr.status >= 400 && xhr.status < 500 && xhr.status !== 410 && xhr.status !== 429;
      if (permanent) {
        // 400 invalid_text, 413…: sending it again cannot help; let the user edit it.
        removeEntry(entry);
        if (!$input.val()) {
          $input.val(entry.text);
        }
        showComposeError(err ? err.message : 'The server refused this message.');
        return;
      }
      setEntryState(entry, 'failed');
      if (xhr.status === 410) {
        rejoin();
      } else if (err) {
        showComposeError(err.message);   // 429 rate_limited, 503…
      }
    }).always(function () {
      sending = false;
      sendNext();
    });
  }

  // ---- Wiring ---------------------------------------------------------------------------

  $joinForm.on('submit', function (e) {
    e.preventDefault();
    var name = $nameInput.val();
    if (!name.trim()) {
      $joinError.text('Please enter a name.').prop('hidden', false);
      return;
    }
    $joinError.prop('hidden', true);
    $joinButton.prop('disabled', true);
    // Not a redraw: after a failed rejoin the list still holds what we have seen.
    join({ name: name, redraw: false, auto: false });
  });

  $composer.on('submit', function (e) {
    e.preventDefault();
    submitMessage();
    $input.trigger('focus');
  });

  $input.on('keydown', function (e) {
    // Enter sends, Shift+Enter is a new line; leave Enter alone while an IME is composing.
    var composing = e.originalEvent && e.originalEvent.isComposing;
    if (e.key === 'Enter' && !e.shiftKey && !composing) {
      e.preventDefault();
      submitMessage();
    }
  });

  $('[data-testid="use-here"]').on('click', useHere);

  window.addEventListener('offline', renderStatus);
  window.addEventListener('online', function () {
    renderStatus();
    failures = 0;
    retryNow();   // no point waiting out the backoff
  });

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) {
      unread = 0;
      updateTitle();
    }
  });

  // Closing the tab: leave after 5 s unless this is a reload, which resumes within them.
  // A paused tab does not own the session, so it must not end it.
  window.addEventListener('pagehide', function () {
    if (!clientId || conn === 'paused') {
      return;
    }
    stopPolling();
    navigator.sendBeacon('leave', new URLSearchParams({ clientId: clientId, grace: '5' }));
  });

  // Back from the back/forward cache: our poll loop was stopped in pagehide.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted && clientId && conn !== 'paused' && !joining) {
      startPolling();
    }
  });

  // ---- Start ----------------------------------------------------------------------------

  $('#room-name, #join-room').text(room);
  updateTitle();

  var saved = loadSession();
  var urlName = params.get('name');
  if (saved && (!urlName || sameName(urlName, saved.name))) {
    // A reload: resume the same client and redraw from the history.
    myName = saved.name;
    clientId = saved.clientId;
    cursor = saved.cursor || 0;
    join({ name: saved.name, clientId: saved.clientId, redraw: true, auto: true });
  } else if (urlName && urlName.trim()) {
    join({ name: urlName, redraw: true, auto: true });
  } else {
    showJoinForm('');
  }
});
