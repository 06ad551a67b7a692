-- soak_known.lua - failures `make soak` finds in the packet code (not in
-- the capture file path), each reported with a reproducer; the soak counts
-- them apart until they are fixed.  {file = part of the capture's path,
-- error = part of the message}.
return {
  -- a captured frame over 65,535 bytes cannot be rebuilt after an edit
  { file = "tests_bigtcp-", error = "bytes do not fit in a packet (at most 65535)" },
  { file = "tests_ipv6_jumbogram", error = "bytes do not fit in a packet (at most 65535)" },
  { file = "tests_huge-tipc-messages", error = "bytes do not fit in a packet (at most 65535)" },
  -- the same, raised with a line of pkt.lua (bindings/pkt.lua:495) instead of the caller's
  { file = "tests_huge-tipc-messages", error = "packet larger than 65535 bytes" },
}
