/*
 * longpoll-chat: the view. Draws what the transport (transport.js) hears, and hands it what the
 * person types. The wire protocol is docs/protocol.md; the comments below say why, not what.
 *
 * Rules this file keeps everywhere:
 *  - user text goes into the page with .text() or as an attribute value, never as HTML;
 *  - URLs are relative, so the page works under any context path;
 *  - event ids arrive in order, and an id already shown is skipped: the same batch may come
 *    twice (a lost answer, another tab, a new leader's first poll).
 */
import { connect } from './transport.js';

const APP = 'longpoll-chat';
const params = new URLSearchParams(window.location.search);
const room = params.get('room') || 'lobby';

// ---- State --------------------------------------------------------------------------------

let myName = null;            // our name as the server normalised it
let lastShownId = 0;          // newest event id on screen
let lastShown = null;         // that event itself, to tell a room that began again
let members = [];             // names of the room's live clients (in a big room, those we know)
let memberCount = 0;          // how many live clients the room has
let status = { conn: 'connecting', joining: false, leader: false };
let unread = 0;               // messages that arrived while the tab was hidden
let run = null;               // the join and leave lines ending the list: {joined, left, $items, $summary}
const outbox = [];            // our sends: {msgId, text, state: queued|sending|failed, $el}
let sending = false;          // sends go one at a time, so they keep their order

// ---- Elements -----------------------------------------------------------------------------

const $status = $('[data-testid="status"]');
const $statusLabel = $status.find('.status-label');
const $joinView = $('#join-view');
const $joinForm = $('#join-form');
const $nameInput = $('[data-testid="name-input"]');
const $joinButton = $('[data-testid="join-button"]');
const $joinError = $('#join-error');
const $roomInput = $('[data-testid="room-input"]');
const $leaveButton = $('[data-testid="leave-button"]');
const $copyLink = $('[data-testid="copy-link"]');
const $newBelow = $('#new-below');
const $chatView = $('#chat-view');
const $banner = $('#paused-banner');
const $members = $('[data-testid="members"]');
const $memberCount = $('#member-count');
const $log = $('#log');
const $messages = $('[data-testid="messages"]');
const $outbox = $('#outbox');
const $composer = $('#composer');
const $input = $('[data-testid="message-input"]');
const $sendButton = $('[data-testid="send-button"]');
const $composeError = $('#compose-error');

// ---- Small helpers ------------------------------------------------------------------------

// msgId: 128 random bits as hex, well inside the protocol's 1-64 chars of [A-Za-z0-9_-].
function newMsgId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) {
    return (b < 16 ? '0' : '') + b.toString(16);
  }).join('');
}

function twoDigits(n) {
  return (n < 10 ? '0' : '') + n;
}

function timeElement(ts) {
  const $time = $('<time class="time">');
  if (typeof ts === 'number' && isFinite(ts)) {
    const d = new Date(ts);
    $time.attr('datetime', d.toISOString())
      .attr('title', d.toLocaleString())
      .text(twoDigits(d.getHours()) + ':' + twoDigits(d.getMinutes()));
  }
  return $time;
}

// A link to this room, without the name: to share, and to reload as the member this browser is.
function roomLink() {
  return window.location.pathname + '?' + new URLSearchParams({ room: room });
}

// http(s) URLs in a message, as links; the rest, and the links' texts, as text. Punctuation that
// usually ends a sentence is not taken into the URL.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?')\]]/gi;

function textWithLinks(text) {
  const nodes = [];
  let from = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    nodes.push(document.createTextNode(text.slice(from, match.index)));
    nodes.push($('<a target="_blank" rel="noopener noreferrer">').attr('href', match[0]).text(match[0])[0]);
    from = match.index + match[0].length;
  }
  nodes.push(document.createTextNode(text.slice(from)));
  return nodes;
}

// ---- Connection state and title -----------------------------------------------------------

const STATUS_LABELS = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  paused: 'Paused'
};

function renderStatus() {
  // The browser's own "no network" wins, except over paused: a paused tab is idle anyway.
  const state = status.conn !== 'paused' && navigator.onLine === false ? 'offline' : status.conn;
  let label = STATUS_LABELS[state];
  if (state === 'connecting' && !status.joining) {
    label = 'Not joined';   // waiting for the user to pick a name
  }
  $status.attr('data-state', state).attr('data-leader', String(status.leader));
  $statusLabel.text(label);
  const paused = status.conn === 'paused';
  $leaveButton.prop('hidden', $chatView.prop('hidden'));
  $banner.prop('hidden', !paused);
  $input.prop('disabled', paused);
  $sendButton.prop('disabled', paused);
}

function updateTitle() {
  const title = room + ' — ' + APP;
  document.title = unread > 0 ? '(' + unread + ') ' + title : title;
}

// ---- Views --------------------------------------------------------------------------------

function showJoinForm(name, message) {
  $chatView.prop('hidden', true);
  $joinView.prop('hidden', false);
  $joinButton.prop('disabled', false);
  if (name !== undefined && name !== null) {
    $nameInput.val(name);
  }
  $roomInput.val(room);
  $joinError.text(message || '').prop('hidden', !message);
  renderStatus();
  $nameInput.trigger('focus');
}

function showChat() {
  $joinView.prop('hidden', true);
  $chatView.prop('hidden', false);
  renderStatus();
}

function showComposeError(message) {
  $composeError.text(message).prop('hidden', false);
}

function hideComposeError() {
  $composeError.text('').prop('hidden', true);
}

// ---- Rendering events ---------------------------------------------------------------------

function isNearBottom() {
  const log = $log[0];
  return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
}

function scrollToBottom() {
  const log = $log[0];
  log.scrollTop = log.scrollHeight;
  $newBelow.prop('hidden', true);
}

function eventElement(ev) {
  const $li = $('<li>').attr('data-id', ev.id);
  if (ev.type === 'message') {
    $li.addClass('msg').toggleClass('own', ev.name === myName);
    $li.append(
      $('<div class="meta">').append($('<span class="sender">').text(ev.name), timeElement(ev.ts)),
      $('<div class="text">').append(textWithLinks(ev.text))
    );
  } else {
    const what = ev.type === 'presence' ? presenceText(ev)
      : ev.name + (ev.type === 'join' ? ' joined' : ev.type === 'leave' ? ' left' : ' (' + ev.type + ')');
    $li.addClass('event event-' + ev.type).append(
      $('<span class="event-text">').text(what), timeElement(ev.ts)
    );
  }
  return $li;
}

// "ann, bob and carol", "ann, bob and 3 others"
function names(list, others) {
  if (others === 0) {
    return list.length > 1 ? list.slice(0, -1).join(', ') + ' and ' + list[list.length - 1] : list.join('');
  }
  return list.join(', ') + ' and ' + others + (others === 1 ? ' other' : ' others');
}

// At most three names, the others counted.
function someNames(list) {
  return list.length > 3 ? names(list.slice(0, 2), list.length - 2) : names(list, 0);
}

// "ann, bob and 3 others joined": a big room's joins and leaves, summed up by the server.
function presenceText(ev) {
  const joined = ev.joined || [];
  const left = ev.left || [];
  const more = ev.more || 0;
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
  let stick = isNearBottom();
  let membersChanged = false;
  let fresh = false;
  events.forEach(function (ev) {
    if (ev.id <= lastShownId) {
      return;   // a batch sent again, or history we already have
    }
    lastShownId = ev.id;
    lastShown = ev;
    const $li = eventElement(ev);
    $messages.append($li);
    if (ev.type === 'join' || ev.type === 'leave') {
      collapse(ev, $li);
    } else {
      run = null;
    }
    if (ev.type === 'message' && ev.name === myName) {
      stick = true;   // always follow our own messages
    }
    fresh = fresh || ev.type === 'message';
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
  } else if (fresh && live) {
    $newBelow.prop('hidden', false);   // the reader has scrolled up: say so, rather than pull them down
  }
}

// Runs of join and leave lines become one quiet line, "ann, bob and 4 others joined", so that
// coming and going does not push the conversation off a small screen. Each event keeps its own
// (hidden) element with its data-id.
function collapse(ev, $li) {
  if (!run) {
    run = { joined: [], left: [], $items: [], $summary: null };
  }
  (ev.type === 'join' ? run.joined : run.left).push(ev.name);
  run.$items.push($li);
  if (run.$items.length < 2) {
    return;
  }
  run.$items.forEach(function ($item) { $item.addClass('collapsed'); });
  const what = [];
  if (run.joined.length > 0) {
    what.push(someNames(run.joined) + ' joined');
  }
  if (run.left.length > 0) {
    what.push(someNames(run.left) + ' left');
  }
  if (run.$summary) {
    run.$summary.remove();
  }
  run.$summary = $('<li class="event event-run">').append(
    $('<span class="event-text">').text(what.join(', ')), timeElement(ev.ts)
  );
  $messages.append(run.$summary);
}

function clearMessages() {
  $messages.empty();
  lastShownId = 0;
  lastShown = null;
  run = null;
}

function showGap() {
  $messages.append($('<li class="gap" data-testid="gap">').text('Some messages may have been missed'));
  run = null;
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
  const i = members.indexOf(name);
  if (i >= 0) {
    members.splice(i, 1);
  }
}

function renderMembers() {
  const sorted = members.slice().sort(function (a, b) {
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

// The room was forgotten, or the server restarted, and its ids began again at 1: its cursor
// is behind what we show, or the event it has under our newest id is another one. (The
// ids alone would make us skip the new room's first events as "already shown".)
function roomStartedOver(roomCursor, history) {
  if (roomCursor < lastShownId) {
    return true;
  }
  const same = history.filter(function (ev) { return ev.id === lastShownId; })[0];
  return !!same && !!lastShown && (same.ts !== lastShown.ts || same.type !== lastShown.type
    || same.name !== lastShown.name || same.text !== lastShown.text);
}

// A join answer, ours or another tab's. redraw: reload or "Use here"; otherwise (a rejoin
// after 410) keep what is shown, add what we lack, and say when some of it is gone.
function joined(res, redraw) {
  myName = res.name;
  // The name was for this join only: a reload resumes the member, whatever it is called now.
  window.history.replaceState(null, '', roomLink());
  const history = res.history || [];
  const startedOver = !redraw && lastShownId > 0 && roomStartedOver(res.cursor, history);
  if (redraw || startedOver) {
    clearMessages();
    if (startedOver) {
      // What we had not yet received from the room's former life is gone: say so.
      showGap();
    }
  } else if (lastShownId > 0) {
    const firstAvailable = history.length > 0 ? history[0].id : res.cursor + 1;
    if (firstAvailable > lastShownId + 1) {
      showGap();
    }
  }
  renderEvents(history, false);
  members = (res.members || []).slice();
  memberCount = res.memberCount || members.length;
  renderMembers();

  const arriving = $chatView.prop('hidden');
  showChat();
  if (redraw) {
    scrollToBottom();
  }
  if (arriving) {
    $input.trigger('focus');   // ready to type
  }
  sendNext();   // sends queued while we were away
}

// ---- Sending ------------------------------------------------------------------------------

function entryElement(entry) {
  const $retry = $('<button type="button" class="retry">').text('Retry');
  const $discard = $('<button type="button" class="discard">').text('Discard');
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
  const failed = state === 'failed';
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
  const text = $input.val();
  if (!text.trim() || status.conn === 'paused') {
    return;
  }
  hideComposeError();
  const same = outbox.filter(function (e) { return e.text === text; })[0];
  if (same) {
    // The same text again: retry a failed one with its msgId (the server may have
    // accepted it after all); ignore a double press while it is still on its way.
    if (same.state === 'failed') {
      setEntryState(same, 'queued');
      sendNext();
    }
    return;
  }
  const entry = { msgId: newMsgId(), text: text, state: 'queued' };
  entry.$el = entryElement(entry);
  setEntryState(entry, 'queued');
  outbox.push(entry);
  $outbox.append(entry.$el);
  scrollToBottom();
  sendNext();
}

function sendNext() {
  if (sending || !chat.canSend()) {
    return;
  }
  const entry = outbox.filter(function (e) { return e.state === 'queued'; })[0];
  if (!entry) {
    return;
  }
  sending = true;
  setEntryState(entry, 'sending');
  chat.send(entry.text, entry.msgId).then(function () {
    // The message itself comes back through the poll, like everyone else's.
    removeEntry(entry);
    hideComposeError();
    if ($input.val() === entry.text) {
      $input.val('');
    }
  }, function (failure) {
    const err = failure.error;
    const s = failure.status;
    if (s >= 400 && s < 500 && s !== 410 && s !== 429) {
      // 400 invalid_text, 413…: sending it again cannot help; let the user edit it.
      removeEntry(entry);
      if (!$input.val()) {
        $input.val(entry.text);
      }
      showComposeError(err ? err.message : 'The server refused this message.');
      return;
    }
    setEntryState(entry, 'failed');
    if (err && s !== 410) {
      showComposeError(err.message);   // 429 rate_limited, 503…
    }
  }).finally(function () {
    sending = false;
    sendNext();
  });
}

// ---- The transport ------------------------------------------------------------------------

const chat = connect(room, {
  joined: joined,
  events: function (events) {
    renderEvents(events, true);
  },
  status: function (s) {
    status = s;
    renderStatus();
  },
  askName: showJoinForm,
  left: showJoinForm
});

// ---- Wiring -------------------------------------------------------------------------------

$joinForm.on('submit', function (e) {
  e.preventDefault();
  const name = $nameInput.val();
  const newRoom = $roomInput.val().trim() || 'lobby';
  if (!name.trim()) {
    $joinError.text('Please enter a name.').prop('hidden', false);
    return;
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(newRoom)) {
    $joinError.text('A room name is 1 to 32 letters, digits, - or _.').prop('hidden', false);
    return;
  }
  $joinError.prop('hidden', true);
  $joinButton.prop('disabled', true);
  if (newRoom !== room) {
    // Another room is another member, with its own tabs: a page of its own.
    window.location.assign(window.location.pathname + '?' + new URLSearchParams({ room: newRoom, name: name }));
    return;
  }
  chat.join(name);
});

$leaveButton.on('click', chat.leave);

$copyLink.on('click', function () {
  const link = new URL(roomLink(), window.location.href).href;
  const done = function (label) {
    $copyLink.text(label);
    window.setTimeout(function () { $copyLink.text('Copy link'); }, 2000);
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(link).then(function () { done('Copied'); }, function () { done('Copy failed'); });
  } else {
    done('Copy failed');   // not a secure context: the room's name is a link to copy by hand
  }
});

$newBelow.on('click', function () {
  scrollToBottom();
  $input.trigger('focus');
});

$log.on('scroll', function () {
  if (isNearBottom()) {
    $newBelow.prop('hidden', true);
  }
});

$composer.on('submit', function (e) {
  e.preventDefault();
  submitMessage();
  $input.trigger('focus');
});

$input.on('keydown', function (e) {
  // Enter sends, Shift+Enter is a new line; leave Enter alone while an IME is composing.
  const composing = e.originalEvent && e.originalEvent.isComposing;
  if (e.key === 'Enter' && !e.shiftKey && !composing) {
    e.preventDefault();
    submitMessage();
  }
});

$('[data-testid="use-here"]').on('click', chat.useHere);

window.addEventListener('offline', renderStatus);
window.addEventListener('online', function () {
  renderStatus();
  chat.online();
});

document.addEventListener('visibilitychange', function () {
  if (!document.hidden) {
    unread = 0;
    updateTitle();
  }
});

// ---- Start --------------------------------------------------------------------------------

$('#room-name, #join-room').text(room);
$('#room-name').attr('href', roomLink());
updateTitle();
chat.start(params.get('name'));
