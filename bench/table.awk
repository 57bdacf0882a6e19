# Prints bench/run.sh's table from the key=value figures of one run (bench/results/*.kv).
#
#   awk -F= -v batch_c=16 -f bench/table.awk bench/results/<run>.kv
#
# Keys are "<label>_<figure>" as timeledger-loadgen prints them under the label run.sh gives each
# measurement (health_c64_ops_per_s, record_c1_p99_us, ...), plus the meta_*, server_*, data_dir_*
# and peer_postgres_* keys that run.sh adds. A figure that is missing prints as "-".

{ v[$1] = substr($0, index($0, "=") + 1) }

function num(k) { return (k in v && v[k] != "") ? v[k] + 0 : -1 }
function fmt(k) { return (k in v && v[k] != "") ? sprintf("%.0f", v[k]) : "-" }
function ratio(a, b) { return (a >= 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
function times(a, b) { return (a >= 0 && b > 0) ? sprintf("%.1fx", a / b) : "-" }
function verdict(ok) { return ok ? "met" : "NOT met" }
function per(a, k) { return num(k) > 0 ? a / num(k) : 0 }  # a / figure k; 0 when k is missing
function failed(label) { return num(label "_errors") > 0 || v[label "_exit"] != "0" }
function rule(    i, s) { for (i = 0; i < 132; i++) s = s "-"; print s }
function line(name, c, ops, p50, p99, p999, r1, r2, target, met,    text) {
  text = sprintf("%-26s %5s %10s %9s %9s %9s %8s %8s  %-24s %s", name, c, ops, p50, p99, p999,
                 r1, r2, target, met)
  sub(/ +$/, "", text)
  print text
}

# One measurement: absolute figures, the ratio to the ceiling at the same concurrency and to the
# PostgreSQL peer, and the target. A measurement with errors is flagged whatever its figures.
function row(label, name, c, ceiling, peer, target, met,    ops) {
  ops = num(label "_ops_per_s")
  if (failed(label)) {
    met = "ERRORS (" (num(label "_errors") > 0 ? num(label "_errors") : "run failed") ")"
  }
  line(name, c, (ops >= 0 ? sprintf("%d", ops) : "-"), fmt(label "_p50_us"), fmt(label "_p99_us"),
       fmt(label "_p999_us"), (ceiling == "" ? "-" : ratio(ops, num(ceiling "_ops_per_s"))),
       (peer == "" ? "-" : times(ops, num(peer))), target, met)
}

# A row of the large-ledger section: the workload against the large bank after a restart, as a
# share of its figure on the empty ledger; the target is to fall by no more than 20%.
function large(label, name, c,    ops, empty, met) {
  ops = num("large_" label "_ops_per_s"); empty = num(label "_ops_per_s")
  met = (ops >= 0 && empty > 0) ? verdict(ops >= 0.8 * empty) : "-"
  if (failed("large_" label)) met = "ERRORS"
  line(name, c, (ops >= 0 ? sprintf("%d", ops) : "-"), fmt("large_" label "_p50_us"),
       fmt("large_" label "_p99_us"), fmt("large_" label "_p999_us"), ratio(ops, empty), "",
       ">= 0.80 of empty", met)
}

# "met" for a throughput target with a PostgreSQL part, judged without it when the peer was skipped.
function with_pg(ok_alone, pg_ratio, pg_min) {
  if (!pg) return verdict(ok_alone) " (pg skipped)"
  return verdict(ok_alone && pg_ratio >= pg_min)
}

# The change feed (issue 19): delivery delay from acknowledgement with 1 and 16 watchers, the
# write rate with 16 watchers against none (each the better of two interleaved rounds), catch-up.
function feed_rows(    w0, w16, w16p, r, p99, rate) {
  if (!("watch_w1_c16_watch_p99_us" in v)) return
  for (r = 1; r <= 2; r++) {
    if (num("watch_w0_c16_r" r "_ops_per_s") > w0) w0 = num("watch_w0_c16_r" r "_ops_per_s")
    if (num("watch_w16_c16_r" r "_ops_per_s") > w16) w16 = num("watch_w16_c16_r" r "_ops_per_s")
    if (num("watch_w16p_c16_r" r "_ops_per_s") > w16p) w16p = num("watch_w16p_c16_r" r "_ops_per_s")
  }
  printf "change feed, RecordEntry at 16 in flight: delivery after acknowledgement p50 / p99 / max us\n"
  for (r = 1; r <= 16; r += 15) {
    p99 = (r == 1) ? num("watch_w1_c16_watch_p99_us") : num("watch_w16_c16_r1_watch_p99_us")
    printf "  %2d watcher(s): %s / %s / %s (p99 <= 10000: %s)\n", r,
           fmt((r == 1 ? "watch_w1_c16" : "watch_w16_c16_r1") "_watch_p50_us"),
           fmt((r == 1 ? "watch_w1_c16" : "watch_w16_c16_r1") "_watch_p99_us"),
           fmt((r == 1 ? "watch_w1_c16" : "watch_w16_c16_r1") "_watch_max_us"),
           verdict(p99 >= 0 && p99 <= 10000)
  }
  printf "  writes: %d/s with none; %d/s with 16 watchers in a process of their own: %s (>= 0.90: %s)\n",
         w0, w16p, ratio(w16p, w0), verdict(w0 > 0 && w16p >= 0.9 * w0)
  printf "          %d/s with the 16 watchers in the writers' own load generator: %s\n", w16,
         ratio(w16, w0)
  rate = num("catchup_catchup_facts_per_s")
  printf "  catch-up: %d facts at %d facts/s (>= 500000: %s)\n", num("catchup_catchup_facts"),
         rate, verdict(rate >= 500000)
}

END {
  pg = (v["peer_postgres"] == "ran")
  ceiling64 = num("health_c64_ops_per_s")
  printf "Timeledger benchmark: %s run, %s build, %s s per measurement, %s accounts, rev %s\n",
         v["meta_mode"], v["meta_build_type"], v["meta_seconds"], v["meta_accounts"],
         v["meta_git_rev"]
  printf "machine: %s cores, %s, %s GiB RAM; load average %s at start, %s at end\n\n",
         v["meta_nproc"], v["meta_cpu"], v["meta_mem_gib"], v["meta_loadavg_start"],
         v["meta_loadavg_end"]
  line("workload", "conc", "ops/s", "p50 us", "p99 us", "p999 us", "/ceil", "/pg", "target", "met?")
  rule()
  row("health_c1", "Health/Check (ceiling)", 1)
  row("health_c16", "Health/Check (ceiling)", 16)
  row("health_c64", "Health/Check (ceiling)", 64)

  r = "record_c1"
  row(r, "RecordEntry", 1, "health_c1", "peer_postgres_transfer_tps_c1", "p99 <= 1 ms",
      num(r "_p99_us") < 0 ? "-" : verdict(num(r "_p99_us") <= 1000))
  row("record_c16", "RecordEntry", 16, "health_c16", "peer_postgres_transfer_tps_c16")
  r = "record_c64"; ops = num(r "_ops_per_s")
  row(r, "RecordEntry", 64, "health_c64", "peer_postgres_transfer_tps_c64",
      ">= 0.60 ceil, >= 8x pg",
      with_pg(ceiling64 > 0 && ops >= 0.6 * ceiling64,
              per(ops, "peer_postgres_transfer_tps_c64"), 8))
  for (b = 100; b <= 1000; b *= 10) {
    r = "batch" b "_c" batch_c
    ops = num(r "_ops_per_s")
    peer = "peer_postgres_transfer_tps_c" batch_c
    row(r, "RecordEntries x" b " (e/s)", batch_c, "health_c" batch_c, peer,
        ">= 150000/s, >= 40x pg", with_pg(ops >= 150000, per(ops, peer), 40))
  }
  row("get_account_c16", "GetAccount", 16, "health_c16", "peer_postgres_balance_tps_c16")
  r = "get_account_c64"
  row(r, "GetAccount", 64, "health_c64", "peer_postgres_balance_tps_c64", ">= 0.85 ceil",
      verdict(ceiling64 > 0 && num(r "_ops_per_s") >= 0.85 * ceiling64))
  for (c = 1; c <= 64; c *= 64) {
    on = num("rules_on_c" c "_ops_per_s"); off = num("rules_off_c" c "_ops_per_s")
    row("rules_off_c" c, "RecordEntry, rules off", c, "health_c" c)
    row("rules_on_c" c, "RecordEntry, rules on", c, "health_c" c, "",
        "<= 10% below rules off", (on >= 0 && off > 0) ? verdict(on >= 0.9 * off) \
        " (" sprintf("%+.1f%%", 100 * (on - off) / off) ")" : "-")
  }
  rule()
  feed_rows()

  if (pg) {
    printf "PostgreSQL peer, transfers/s | balance reads/s: c1 %d | %d, c16 %d | %d, c64 %d | %d\n",
           num("peer_postgres_transfer_tps_c1"), num("peer_postgres_balance_tps_c1"),
           num("peer_postgres_transfer_tps_c16"), num("peer_postgres_balance_tps_c16"),
           num("peer_postgres_transfer_tps_c64"), num("peer_postgres_balance_tps_c64")
  } else {
    printf "PostgreSQL peer: %s\n", v["peer_postgres"]
  }
  printf "setup: %d accounts opened at %d/s (c64, p99 %s us)\n",
         num("setup_accounts"), num("setup_ops_per_s"), fmt("setup_p99_us")
  printf "server: ready in %d ms, peak RSS %.1f MiB, stopped in %d ms after SIGTERM\n",
         num("server_ready_ms"), num("server_peak_rss_kib") / 1024, num("server_stop_ms")
  entries = num("ledger_bank_entry_count")
  if (num("large_ledger_bank_entry_count") > 0) entries += num("large_ledger_bank_entry_count")
  mib = num("data_dir_bytes") / 1048576
  if (entries > 0) {
    printf "disk: %.1f MiB (SST %.1f, WAL %.1f) for %d entries = %.1f MiB per million entries\n",
           mib, num("data_dir_sst_bytes") / 1048576, num("data_dir_wal_bytes") / 1048576, entries,
           mib * 1e6 / entries
  } else {
    printf "disk: %.1f MiB (entry count unknown)\n", mib
  }

  if ("large_server_ready_ms" in v) {
    printf "\nlarge ledger: %d accounts opened at %d/s; %d entries loaded at %d entries/s\n",
           num("large_setup_accounts"), num("large_setup_ops_per_s"),
           num("large_ledger_bank_entry_count"), num("large_fill_ops_per_s")
    line("workload (large ledger)", "conc", "ops/s", "p50 us", "p99 us", "p999 us", "/empty", "",
         "target", "met?")
    rule()
    large("health_c64", "Health/Check (ceiling)", 64)
    large("record_c1", "RecordEntry", 1)
    large("record_c64", "RecordEntry", 64)
    large("batch1000_c" batch_c, "RecordEntries x1000 (e/s)", batch_c)
    large("get_account_c64", "GetAccount", 64)
    rule()
    ready = num("large_server_ready_ms"); rss = num("large_server_peak_rss_kib") / 1024
    printf "restart on the large ledger: ready in %d ms (<= 2000: %s), " \
           "peak RSS %.1f MiB (<= 256: %s)\n",
           ready, verdict(ready >= 0 && ready <= 2000), rss, verdict(rss > 0 && rss <= 256)
  }
  if (num("failures") > 0) {
    printf "errors: %d measurement(s) had errors: this run is NOT valid\n", num("failures")
  } else {
    print "errors: none"
  }
}
