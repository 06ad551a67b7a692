-- myproto.lua - a lab's own protocol, declared in Lua: a poll carried
-- over UDP port 7777, with a length, a checksum and a list of answers.
-- It is built, printed, and its bytes dissected back like any layer.
--   Scapy:  class Poll(Packet): fields_desc = [...]
--           bind_layers(UDP, Poll, dport=7777)
local cli = require "pkt.cli"
local o = cli.parse(arg, "Declare a small protocol (Poll over UDP 7777), build one and dissect it back.", {
  { "question", "q", "the poll's question number", default = 1, number = true },
  { "answers", "a", "answers as id=votes, comma-separated", default = "1=10,2=5" },
})

-- Each answer is a record: the fields of another declared layer.
Answer = layer{ name = "Answer", fields = {
  { "id", "int", 8 },
  { "votes", "int", 16 },
} }

-- The header: unset len, chksum and count are computed when built.
Poll = layer{ name = "Poll", longname = "Lab poll", fields = {
  { "version", "int", 4, default = 1 },
  { "op", "int", 4, default = 1, names = { [1] = "ask", [2] = "result" } },
  { "question", "int", 8 },
  { "len", "int", 16, role = "len", covers = "header+payload" },
  { "chksum", "int", 16, role = "chksum", covers = "header+payload", hex = true },
  { "count", "int", 8 },
  { "answers", "records", of = Answer, count = "count" },
}, bind = { UDP = { dport = 7777 } }, summary = "Poll %op% question %question%" }

local answers = {}
for id, votes in o.answers:gmatch("(%d+)=(%d+)") do
  answers[#answers + 1] = { id = tonumber(id), votes = tonumber(votes) }
end

local p = IP{ src = "198.51.100.1", dst = "198.51.100.2" } / UDP{ sport = 40000, dport = 7777 }
  / Poll{ op = "result", question = o.question, answers = answers }
p:show2()
print("bytes: " .. p:bytes():gsub(".", function(c) return ("%02x"):format(c:byte()) end))

-- The bytes dissect as Poll again: UDP port 7777 is bound to it.
local q = IP(p:bytes())
print(q:summary())
for i, a in ipairs(q[Poll].answers) do
  print(("answer %d: id %d, %d votes"):format(i, a.id, a.votes))
end
