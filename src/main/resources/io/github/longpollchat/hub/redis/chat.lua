#!lua name=longpollchat_1
--[[
The chat's rules as Redis functions: each call is one atomic step, whichever node makes it, so
ids, names, limits and expiry hold for every node together. RedisHub calls them with FCALL and
loads this library again when Redis has forgotten it. Times and ids come from Redis, never from
a node. Layout (r = a room's name, d = a client's digest, see ClientDigest):

  chat:rooms      zset  r -> when it may be forgotten (its last event + room TTL), ms
  chat:clients    zset  d -> when it expires (its last request + client TTL; while a poll is parked, the node
                        holding it keeps it ahead, see chat1_alive), ms,
                        rounded up to the second: a client's many polls within one second then leave its
                        place in the set as it is, rather than move it each time
  chat:graces     zset  d -> when its grace leave runs, ms
  chat:presence   zset  r -> when its presence summary is due, ms
  chat:r:<r>          hash  last (its newest id), seq (joins so far), pj/pjn, pl/pln (presence notes), plast
  chat:r:<r>:log      list  the newest events' JSON, oldest first; the last one's id is `last`
  chat:r:<r>:names    hash  name key (lower case) -> d
  chat:r:<r>:members  zset  display name -> join number (joining order)
  chat:r:<r>:acks     zset  d -> its last acknowledged id: a mailbox is the log after it
  chat:polls          hash  d -> what a poll needs, as "<gen> <parked> <ack> <grace> <room>": polls so far, until
                            when its newest poll may be parked (ms; 0 when it was answered at once), its last
                            acknowledged id (as in chat:r:<r>:acks), 1 while a
                            grace leave is pending (so that a poll looks in chat:graces only then), its room.
                            One hash for every client, so that a group of polls reads and writes it with one
                            command each, not one per poll
  chat:c:<d>          hash  room, name, nj (the name as JSON), key,
                            addr (the digest of the address it joined from; only while max-clients-per-address is on)
  chat:c:<d>:keys     zset  msgId -> the id its send got (the last 256)
  chat:c:<d>:sent     list  when its last accepted messages were sent, ms (the rate limit's window)
  chat:a:<a>          string  live clients joined from the address whose digest is a; gone with the last

Every node listens on one channel, chat:wake, for:
  e <r> <id> <json>     a new event
  s <r> <d> <gen> <ack> the client's polls older than gen are superseded
  g <r> <d>             the client is gone

Every function takes the same nine settings first (see settings()), then its own arguments, and
answers {its answer, the clients it took out, the events it posted}: the clients as
"<room> <d> <left|expired|evicted>" each, for the calling node's log and metrics.
]]

local WAKE = 'chat:wake'
local CLIENTS = 'chat:clients'
local ROOMS = 'chat:rooms'
local GRACES = 'chat:graces'
local PRESENCE = 'chat:presence'
local POLLS = 'chat:polls'
local NAMED = 10
local PRESENCE_GAP = 2000
local RATE_WINDOW = 10000
local KEYS_KEPT = 256
local OWN = 10

-- The clients the current call took out of their rooms; see rule().
local dropped = {}
-- How many events the current call posted.
local posted = 0

-- Registers a function of the chat: its answer goes out with the clients it dropped.
local function rule(name, callback, flags)
  redis.register_function{function_name = name, flags = flags, callback = function(keys, args)
    dropped = {}
    posted = 0
    local answer = callback(keys, args)
    return {answer, dropped, posted}
  end}
end

local function room_key(room)
  return 'chat:r:' .. room
end

local function client_key(d)
  return 'chat:c:' .. d
end

local function address_key(a)
  return 'chat:a:' .. a
end

-- A client's entry in chat:polls, read, or false when it has none (it is gone).
local function poll_state(value)
  if not value then
    return false
  end
  local gen, parked, ack, grace, room = string.match(value, '^(%d+) (%d+) (%d+) (%d) (.+)$')
  return {gen = tonumber(gen), parked = tonumber(parked), ack = tonumber(ack), grace = grace == '1', room = room}
end

-- Numbers written as integers by string.format: Lua's own number-to-text (and Redis's, for a
-- number given to redis.call) formats a double, a cost Redis paid on every poll.
local function poll_entry(p)
  return string.format('%d %d %d %d %s', p.gen, p.parked, p.ack, p.grace and 1 or 0, p.room)
end

local function int(n)
  return string.format('%d', n)
end

local function settings(args)
  local t = redis.call('TIME')
  return {
    history = tonumber(args[1]), mailbox = tonumber(args[2]), presence = tonumber(args[3]),
    max_clients = tonumber(args[4]), max_rooms = tonumber(args[5]), rate = tonumber(args[6]),
    client_ttl = tonumber(args[7]), room_ttl = tonumber(args[8]), per_address = tonumber(args[9]),
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000),
    expiries = {}
  }
end

-- When a client whose last request (or poll) ends in `wait` ms expires: its score in chat:clients.
local function expiry(s, wait)
  local at = s.expiries[wait]
  if not at then
    at = int(math.ceil((s.now + wait + s.client_ttl) / 1000) * 1000)
    s.expiries[wait] = at
  end
  return at
end

-- The events after id `after`, at most `max`: the id of the first, and their JSON.
local function range(r, after, last, max)
  local n = redis.call('LLEN', r .. ':log')
  local first = last - n + 1
  local from = math.max(after + 1, first)
  if from > last then
    return from, {}
  end
  local to = math.min(last, from + max - 1)
  return from, redis.call('LRANGE', r .. ':log', int(from - first), int(to - first))
end

-- Gives an event the room's next id, keeps it in the log and wakes every node. body: the event's
-- fields between "room" and "ts", already JSON.
local function append(s, room, body)
  local r = room_key(room)
  local id = redis.call('HINCRBY', r, 'last', 1)
  local json = '{"id":' .. id .. ',"room":"' .. room .. '"' .. body .. ',"ts":' .. s.now .. '}'
  redis.call('RPUSH', r .. ':log', json)
  redis.call('ZADD', ROOMS, s.now + s.room_ttl, room)
  redis.call('PUBLISH', WAKE, 'e ' .. room .. ' ' .. id .. ' ' .. json)
  posted = posted + 1
  return id
end

-- Notes a join ('j') or leave ('l') of a big room for its next presence summary.
local function note(room, kind, nj)
  local r = room_key(room)
  local n = redis.call('HINCRBY', r, 'p' .. kind .. 'n', 1)
  if n <= NAMED then
    local names = redis.call('HGET', r, 'p' .. kind)
    redis.call('HSET', r, 'p' .. kind, names and (names .. ',' .. nj) or nj)
  end
  local due = tonumber(redis.call('HGET', r, 'plast') or 0) + PRESENCE_GAP
  redis.call('ZADD', PRESENCE, 'NX', due, room)
end

-- A request of the client came: it lives on (a parked poll's longer deadline stands), and a
-- pending grace leave is off.
local function touch(s, d)
  redis.call('ZADD', CLIENTS, 'GT', expiry(s, 0), d)
  redis.call('ZREM', GRACES, d)
end

-- Takes a client out of its room and frees every key of it; its leave goes to the room (in a
-- big room, to the next summary), its parked poll is told. `why`: left, expired or evicted.
-- Returns its room, or nil if it was gone.
local function drop(s, d, why)
  redis.call('ZREM', CLIENTS, d)
  redis.call('ZREM', GRACES, d)
  local c = client_key(d)
  local f = redis.call('HMGET', c, 'room', 'name', 'nj', 'key', 'addr')
  local room = f[1]
  if not room then
    return nil
  end
  if f[5] and redis.call('DECR', address_key(f[5])) <= 0 then
    redis.call('DEL', address_key(f[5]))
  end
  local r = room_key(room)
  local big = redis.call('ZCARD', r .. ':members') > s.presence
  redis.call('DEL', c, c .. ':keys', c .. ':sent')
  redis.call('HDEL', POLLS, d)
  redis.call('HDEL', r .. ':names', f[4])
  redis.call('ZREM', r .. ':members', f[2])
  redis.call('ZREM', r .. ':acks', d)
  redis.call('PUBLISH', WAKE, 'g ' .. room .. ' ' .. d)
  dropped[#dropped + 1] = room .. ' ' .. d .. ' ' .. why
  if big then
    note(room, 'l', f[3])
  else
    append(s, room, ',"type":"leave","name":' .. f[3])
  end
  return room
end

-- After the room's new events: evicts every member with more than `mailbox` events unacknowledged
-- (each eviction posts a leave, which may overflow others: a loop, not recursion), then trims the
-- log to what the history and the remaining mailboxes need.
local function settle(s, room)
  local r = room_key(room)
  while true do
    local last = tonumber(redis.call('HGET', r, 'last'))
    local over = redis.call('ZRANGEBYSCORE', r .. ':acks', '-inf', '(' .. (last - s.mailbox), 'LIMIT', 0, 100)
    if #over == 0 then
      break
    end
    for _, d in ipairs(over) do
      drop(s, d, 'evicted')
    end
  end
  local last = tonumber(redis.call('HGET', r, 'last'))
  local keep = s.history
  local oldest = redis.call('ZRANGE', r .. ':acks', 0, 0, 'WITHSCORES')
  if oldest[2] then
    keep = math.max(keep, last - tonumber(oldest[2]))
  end
  if keep == 0 then
    redis.call('DEL', r .. ':log')
  else
    redis.call('LTRIM', r .. ':log', -keep, -1)
  end
end

-- Posts a big room's presence summary if one is due.
local function tell(s, room)
  local r = room_key(room)
  local p = redis.call('HMGET', r, 'pj', 'pjn', 'pl', 'pln', 'plast')
  local joins, leaves = tonumber(p[2] or 0), tonumber(p[4] or 0)
  if joins + leaves == 0 then
    redis.call('ZREM', PRESENCE, room)
    return
  end
  local due = tonumber(p[5] or 0) + PRESENCE_GAP
  if s.now < due then
    redis.call('ZADD', PRESENCE, due, room)
    return
  end
  local more = math.max(0, joins - NAMED) + math.max(0, leaves - NAMED)
  local count = redis.call('ZCARD', r .. ':members')
  append(s, room, ',"type":"presence","count":' .. count .. ',"joined":[' .. (p[1] or '') .. '],"left":['
      .. (p[3] or '') .. '],"more":' .. more)
  redis.call('HDEL', r, 'pj', 'pjn', 'pl', 'pln')
  redis.call('HSET', r, 'plast', s.now)
  redis.call('ZREM', PRESENCE, room)
  settle(s, room)
end

local function forget(room)
  local r = room_key(room)
  redis.call('DEL', r, r .. ':log', r .. ':names', r .. ':members', r .. ':acks')
  redis.call('ZREM', ROOMS, room)
  redis.call('ZREM', PRESENCE, room)
end

-- What /join answers: {kind, name, cursor, member count, first history id, history, names}. In a
-- big room only `presence` names, the client's own last.
local function joined(s, room, kind, name, cursor)
  local r = room_key(room)
  local last = tonumber(redis.call('HGET', r, 'last'))
  local first, history = range(r, last - s.history, last, s.history)
  local count = redis.call('ZCARD', r .. ':members')
  local names
  if count > s.presence then
    names = {}
    for _, other in ipairs(redis.call('ZRANGE', r .. ':members', 0, s.presence - 1)) do
      if other ~= name and #names < s.presence - 1 then
        names[#names + 1] = other
      end
    end
    names[#names + 1] = name
  else
    names = redis.call('ZRANGE', r .. ':members', 0, -1)
  end
  return {kind, name, cursor, count, first, history, names}
end

-- args: room, d (the new client's), resume (a digest, or ''), name, name key, name as JSON, the
-- digest of the address it joins from
rule('chat1_join', function(_, args)
  local s = settings(args)
  local room, d, resume, name, key, nj = args[OWN], args[OWN + 1], args[OWN + 2], args[OWN + 3], args[OWN + 4], args[OWN + 5]
  local addr = args[OWN + 6]
  local r = room_key(room)
  if resume ~= '' then
    local f = redis.call('HMGET', client_key(resume), 'room', 'name')
    if f[1] == room then
      touch(s, resume)
      return joined(s, room, 'resumed', f[2], tonumber(redis.call('ZSCORE', r .. ':acks', resume)))
    end
  end
  if redis.call('HEXISTS', r .. ':names', key) == 1 then
    return {'taken'}
  end
  if s.per_address > 0 and tonumber(redis.call('GET', address_key(addr)) or 0) >= s.per_address then
    return {'many'}
  end
  if redis.call('ZCARD', CLIENTS) >= s.max_clients then
    return {'full', 'clients'}
  end
  local c = client_key(d)
  if redis.call('EXISTS', c) == 1 then
    return {'again'}
  end
  if redis.call('EXISTS', r) == 0 then
    if redis.call('ZCARD', ROOMS) >= s.max_rooms then
      return {'full', 'rooms'}
    end
    redis.call('HSET', r, 'last', 0)
    redis.call('ZADD', ROOMS, s.now + s.room_ttl, room)
  end
  local last = tonumber(redis.call('HGET', r, 'last'))
  local seq = redis.call('HINCRBY', r, 'seq', 1)
  redis.call('HSET', c, 'room', room, 'name', name, 'nj', nj, 'key', key)
  redis.call('HSET', POLLS, d, poll_entry({gen = 0, parked = 0, ack = last, grace = false, room = room}))
  if s.per_address > 0 then
    redis.call('HSET', c, 'addr', addr)
    redis.call('INCR', address_key(addr))
  end
  redis.call('HSET', r .. ':names', key, d)
  redis.call('ZADD', r .. ':members', seq, name)
  redis.call('ZADD', r .. ':acks', last, d)
  redis.call('ZADD', CLIENTS, expiry(s, 0), d)
  local reply = joined(s, room, 'joined', name, last)
  if reply[4] > s.presence then
    note(room, 'j', nj)
  else
    append(s, room, ',"type":"join","name":' .. nj)
    settle(s, room)
  end
  return reply
end)

-- args: d, text as JSON, msgId (or '')
rule('chat1_send', function(_, args)
  local s = settings(args)
  local d, text, msg_id = args[OWN], args[OWN + 1], args[OWN + 2]
  local c = client_key(d)
  local f = redis.call('HMGET', c, 'room', 'nj')
  if not f[1] then
    return {'gone'}
  end
  touch(s, d)
  if msg_id ~= '' then
    local earlier = redis.call('ZSCORE', c .. ':keys', msg_id)
    if earlier then
      return {'sent', tonumber(earlier)}
    end
  end
  if s.rate > 0 and redis.call('LLEN', c .. ':sent') >= s.rate then
    local wait = tonumber(redis.call('LINDEX', c .. ':sent', 0)) + RATE_WINDOW - s.now
    if wait > 0 then
      return {'rate', math.ceil(wait / 1000)}
    end
  end
  local id = append(s, f[1], ',"type":"message","name":' .. f[2] .. ',"text":' .. text)
  if msg_id ~= '' then
    redis.call('ZADD', c .. ':keys', id, msg_id)
    if redis.call('ZCARD', c .. ':keys') > KEYS_KEPT then
      redis.call('ZREMRANGEBYRANK', c .. ':keys', 0, 0)
    end
  end
  if s.rate > 0 then
    redis.call('RPUSH', c .. ':sent', s.now)
    redis.call('LTRIM', c .. ':sent', -s.rate, -1)
  end
  settle(s, f[1])
  return {'sent', id}
end)

-- The polls of one chat1_polls call: the clients' entries in chat:polls, read
-- with one HMGET and written with one HSET; each room's last id, read once; the
-- acknowledged ids and the liveness they set, written with one ZADD per key. Later polls of the
-- same client in the group see what earlier ones changed.
local function group(ds)
  local values = redis.call('HMGET', POLLS, unpack(ds))
  local g = {state = {}, order = {}, rooms = {}, acks = {}, live = {}}
  for k, d in ipairs(ds) do
    if g.state[d] == nil then
      g.state[d] = poll_state(values[k])
      g.order[#g.order + 1] = d
    end
  end
  return g
end

-- A room's last id, once per group.
local function known(g, room)
  local known_room = g.rooms[room]
  if not known_room then
    known_room = {last = tonumber(redis.call('HGET', room_key(room), 'last'))}
    g.rooms[room] = known_room
  end
  return known_room
end

-- The time stamp of a room's newest event (its id is the room's last), once per group; '0' if
-- the log has none.
local function newest_ts(g, room)
  local known_room = g.rooms[room]
  if not known_room.ts then
    local json = redis.call('LINDEX', room_key(room) .. ':log', -1)
    known_room.ts = json and string.match(json, '"ts":(%d+)}$') or '0'
  end
  return known_room.ts
end

local function push(list, score, member)
  list[#list + 1] = score
  list[#list + 1] = member
end

-- Writes what the group's polls changed.
local function write(g)
  local entries = {}
  for _, d in ipairs(g.order) do
    local p = g.state[d]
    if p and p.changed then
      entries[#entries + 1] = d
      entries[#entries + 1] = poll_entry(p)
    end
  end
  if #entries > 0 then
    redis.call('HSET', POLLS, unpack(entries))
  end
  for room, acks in pairs(g.acks) do
    redis.call('ZADD', room_key(room) .. ':acks', unpack(acks))
  end
  if #g.live > 0 then
    redis.call('ZADD', CLIENTS, unpack(g.live))
  end
end

-- One poll: d, cursor (-1 for none), how long it may park (ms; 0 answers at once), the calling
-- node's slack (see chat1_alive). Answers 'n <ack> <last> <ts> <room>' (answered now: with the
-- events after ack up to the room's last id, whose event has time stamp ts; the node has them from
-- their wake-ups, or reads them with chat1_read), 'p <gen> <ack> <room>' (parked: the node holds
-- the poll until a wake-up on chat:wake), or 'g' (gone).
--
-- A newer poll supersedes a parked one (a wake-up 's' to every node) only when that one may still
-- be parked and the new poll acknowledges nothing more: a poll whose client acknowledges more has
-- seen events posted after the parked one parked, whose wake-up answers it anyway; that is every
-- poll after a poll answered with news, so none of those costs a wake-up.
local function poll(s, g, d, cursor, wait, slack)
  local p = g.state[d]
  if not p then
    return 'g'
  end
  local room = known(g, p.room)
  local acknowledged = false
  if cursor > p.ack then
    local ack = math.min(cursor, room.last)
    if ack > p.ack then
      p.ack = ack
      acknowledged = true
      g.acks[p.room] = g.acks[p.room] or {}
      push(g.acks[p.room], int(ack), d)
    end
  end
  p.gen = p.gen + 1
  p.changed = true
  if p.parked > s.now and not acknowledged then
    redis.call('PUBLISH', WAKE, string.format('s %s %s %d %d', p.room, d, p.gen, p.ack))
  end
  if p.grace then
    redis.call('ZREM', GRACES, d)
    p.grace = false
  end
  if room.last > p.ack or wait == 0 then
    p.parked = 0
    push(g.live, expiry(s, 0), d)
    return string.format('n %d %d %s %s', p.ack, room.last, newest_ts(g, p.room), p.room)
  end
  p.parked = s.now + wait
  push(g.live, expiry(s, math.min(wait, slack)), d)
  return string.format('p %d %d %s', p.gen, p.ack, p.room)
end

-- args: the node's slack, then the polls that reached a node while its previous chat1_polls call
-- was out, 3 each (see poll()), in the order they came: a client's later poll supersedes its
-- earlier one as if each were its own call. Answers one answer per poll, in the same order.
rule('chat1_polls', function(_, args)
  local s = settings(args)
  local slack = tonumber(args[OWN])
  local ds = {}
  for i = OWN + 1, #args, 3 do
    ds[#ds + 1] = args[i]
  end
  local g = group(ds)
  local answers = {}
  for k, d in ipairs(ds) do
    local i = OWN + 1 + (k - 1) * 3
    answers[k] = poll(s, g, d, tonumber(args[i + 1]), tonumber(args[i + 2]), slack)
  end
  write(g)
  return answers
end)

-- args: slack, d1, d2, ...: clients with a poll parked on the calling node, which calls this more
-- often than the slack (ms): each lives on to that much past the TTL from now. Never shortens a
-- client's life, and never brings back one that is gone.
rule('chat1_alive', function(_, args)
  local s = settings(args)
  local at = expiry(s, tonumber(args[OWN]))
  local live = {}
  for i = OWN + 1, #args do
    push(live, at, args[i])
  end
  redis.call('ZADD', CLIENTS, 'XX', 'GT', unpack(live))
  return {}
end)

-- args: room, after, batch size. Answers {first id, events}.
rule('chat1_read', function(_, args)
  local room, after, max = args[OWN], tonumber(args[OWN + 1]), tonumber(args[OWN + 2])
  local r = room_key(room)
  local first, events = range(r, after, tonumber(redis.call('HGET', r, 'last') or 0), max)
  return {first, events}
end, {'no-writes'})

-- args: d1, gen1, ack1, ...: parked polls whose wake-ups may have been lost (pub/sub cut). For
-- each, two entries: 'g', 0 (gone), 's', ack (superseded), 'w', 0 (has events) or 'p', 0 (still waits).
rule('chat1_check', function(_, args)
  local out = {}
  for i = OWN, #args, 3 do
    local d, gen, ack = args[i], tonumber(args[i + 1]), tonumber(args[i + 2])
    local p = poll_state(redis.call('HGET', POLLS, d))
    local state, value = 'p', 0
    if not p then
      state = 'g'
    elseif p.gen ~= gen then
      state, value = 's', p.ack
    elseif tonumber(redis.call('HGET', room_key(p.room), 'last')) > ack then
      state = 'w'
    end
    out[#out + 1] = state
    out[#out + 1] = value
  end
  return out
end, {'no-writes'})

-- args: d, grace (s; 0 leaves now)
rule('chat1_leave', function(_, args)
  local s = settings(args)
  local d, grace = args[OWN], tonumber(args[OWN + 1])
  if redis.call('EXISTS', client_key(d)) == 0 then
    return {}
  end
  if grace > 0 then
    touch(s, d)
    redis.call('ZADD', GRACES, s.now + grace * 1000, d)
    local p = poll_state(redis.call('HGET', POLLS, d))
    p.grace = true
    redis.call('HSET', POLLS, d, poll_entry(p))
    return {}
  end
  settle(s, drop(s, d, 'left'))
  return {}
end)

-- args: batch. The time-driven rules, run by every node a few times a second; each step checks
-- again what it acts on, so two nodes sweeping at once do each thing once.
rule('chat1_sweep', function(_, args)
  local s = settings(args)
  local batch = tonumber(args[OWN])
  for _, due in ipairs({{GRACES, 'left'}, {CLIENTS, 'expired'}}) do
    for _, d in ipairs(redis.call('ZRANGEBYSCORE', due[1], '-inf', s.now, 'LIMIT', 0, batch)) do
      local room = drop(s, d, due[2])
      if room then
        settle(s, room)
      end
    end
  end
  for _, room in ipairs(redis.call('ZRANGEBYSCORE', PRESENCE, '-inf', s.now, 'LIMIT', 0, batch)) do
    tell(s, room)
  end
  for _, room in ipairs(redis.call('ZRANGEBYSCORE', ROOMS, '-inf', s.now, 'LIMIT', 0, batch)) do
    if redis.call('ZCARD', room_key(room) .. ':members') == 0 then
      forget(room)
    else
      redis.call('ZADD', ROOMS, s.now + s.room_ttl, room)
    end
  end
  return {}
end)

-- The whole chat's size: {clients, rooms, grace leaves pending}.
rule('chat1_counts', function()
  return {redis.call('ZCARD', CLIENTS), redis.call('ZCARD', ROOMS), redis.call('ZCARD', GRACES)}
end, {'no-writes'})
