#include "conformance/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "codec/json_writer.h"

namespace cephwire::conformance {

namespace {

std::string xml_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default:
        // XML 1.0 has no other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') o += ' ';
        else o += c;
    }
  }
  return o;
}

void finding_json(codec::JsonWriter& w, const std::string& input, const Finding& f) {
  w.begin_object();
  w.kv("input", input);
  w.kv("frame", f.frame);
  w.kv("stream", f.conn);
  w.kv("text", f.text);
  w.end_object();
}

}  // namespace

std::optional<Verdict> parse_verdict(std::string_view s) {
  for (auto v : {Verdict::kPass, Verdict::kNonStrict, Verdict::kFail, Verdict::kInformational,
                 Verdict::kUnsupported, Verdict::kNotExercised})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

uint8_t mode_bit(std::string_view name) {
  for (const auto& [bit, n] : kModeNames)
    if (n == name) return bit;
  return 0;
}

const Expected::Verdicts& Expected::for_mode(std::string_view m) const {
  return m == "replay" ? replay : m == "live" ? live : verdicts;
}
Expected::Verdicts& Expected::for_mode(std::string_view m) {
  return m == "replay" ? replay : m == "live" ? live : verdicts;
}

std::string CaseReport::key() const {
  return mode == "check" ? std::string(info->id) : std::string(info->id) + "@" + std::string(mode);
}

std::optional<Expected> parse_expected(const std::string& text, std::string* error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("verdicts") || !j["verdicts"].is_object()) {
    *error = "not an expected-results file ({\"implementation\", \"verdicts\": {id: verdict}})";
    return std::nullopt;
  }
  Expected e;
  e.implementation = j.value("implementation", "");
  for (const auto& [bit, name] : kModeNames) {
    const char* section = bit == mode::kCheck ? "verdicts" : name.data();
    if (!j.contains(section)) continue;
    if (!j[section].is_object()) {
      *error = std::string("\"") + section + "\" is not an object";
      return std::nullopt;
    }
    for (const auto& [id, v] : j[section].items()) {
      const CaseInfo* info = find_case(id);
      if (!info) {
        *error = "unknown case " + id;
        return std::nullopt;
      }
      if (!(info->modes & bit)) {
        *error = "case " + id + " does not run in " + std::string(name) + " mode";
        return std::nullopt;
      }
      auto verdict = v.is_string() ? parse_verdict(v.get<std::string>()) : std::nullopt;
      if (!verdict) {
        *error = "bad verdict for " + id;
        return std::nullopt;
      }
      e.for_mode(name).emplace(id, *verdict);
    }
  }
  return e;
}

Report build_report(const std::vector<InputRun>& runs, const Expected* expected) {
  Report rep;
  if (expected) rep.implementation = expected->implementation;
  uint8_t modes_run = 0;
  for (const auto& r : runs) {
    if (std::find(rep.inputs.begin(), rep.inputs.end(), r.name) == rep.inputs.end())
      rep.inputs.push_back(r.name);
    modes_run |= mode_bit(r.mode);
  }
  for (const auto& info : catalog()) {
    for (const auto& [bit, mode_name] : kModeNames) {
      if (!(info.modes & bit) || !(modes_run & bit)) continue;
      CaseReport c;
      c.info = &info;
      c.mode = mode_name;
      for (const auto& run : runs) {
        if (run.mode != mode_name) continue;
        for (const auto& res : run.results) {
          if (res.info != &info) continue;
          c.inputs.push_back({run.name, res.verdict, res.checked});
          if (severity(res.verdict) > severity(c.verdict)) c.verdict = res.verdict;
          c.checked += res.checked;
          if (res.seconds >= 0) c.seconds += res.seconds;
          else if (res.checked) c.seconds += run.seconds;
          for (const auto& f : res.failures) c.failures.emplace_back(run.name, f);
          for (const auto& f : res.notes) c.notes.emplace_back(run.name, f);
          for (const auto& ex : res.examples) {
            if (c.wire_log.size() >= 12) break;
            auto it = run.wire.find(ex);
            if (it != run.wire.end()) c.wire_log.push_back(run.name + ": " + it->second);
          }
        }
      }
      if (expected) {
        const auto& m = expected->for_mode(mode_name);
        if (auto it = m.find(info.id); it != m.end()) c.expected = it->second;
      }
      const bool fails = c.verdict == Verdict::kFail;
      const bool expected_fail = c.expected == Verdict::kFail;
      c.unexpected = fails != expected_fail;
      if (fails) ++rep.failed;
      if (c.verdict == Verdict::kPass || c.verdict == Verdict::kNonStrict) ++rep.passed;
      if (fails && expected_fail) ++rep.expected_failures;
      if (c.unexpected) ++rep.unexpected;
      rep.cases.push_back(std::move(c));
    }
  }
  return rep;
}

std::string to_expected_json(const Report& r, const std::string& implementation,
                             const Expected* keep) {
  // One case per line, so a change of expectation is a one-line diff.
  codec::JsonWriter name;
  name.value(implementation);
  std::string o = "{\n  \"implementation\": " + name.str();
  for (const auto& [bit, mode_name] : kModeNames) {
    std::vector<std::pair<std::string, Verdict>> rows;
    bool ran = false;
    for (const auto& c : r.cases) {
      if (c.mode != mode_name) continue;
      ran = true;
      rows.emplace_back(std::string(c.info->id), c.verdict);
    }
    if (!ran && keep) {  // catalog order
      const auto& kept = keep->for_mode(mode_name);
      for (const auto& info : catalog())
        if (auto it = kept.find(info.id); it != kept.end()) rows.emplace_back(it->first, it->second);
    }
    if (rows.empty() && bit != mode::kCheck) continue;
    o += ",\n  \"" + std::string(bit == mode::kCheck ? "verdicts" : mode_name) + "\": {\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      o += "    \"" + rows[i].first + "\": \"" + std::string(to_string(rows[i].second)) + "\"";
      o += i + 1 < rows.size() ? ",\n" : "\n";
    }
    o += "  }";
  }
  o += "\n}\n";
  return o;
}

std::string to_json(const Report& r) {
  codec::JsonWriter w;
  w.begin_object();
  w.kv("implementation", r.implementation);
  w.key("inputs");
  w.begin_array();
  for (const auto& i : r.inputs) w.value(i);
  w.end_array();
  w.key("summary");
  w.begin_object();
  w.kv("cases", uint64_t{r.cases.size()});
  w.kv("passed", uint64_t{r.passed});
  w.kv("failed", uint64_t{r.failed});
  w.kv("expected_failures", uint64_t{r.expected_failures});
  w.kv("unexpected", uint64_t{r.unexpected});
  w.end_object();
  w.key("cases");
  w.begin_array();
  for (const auto& c : r.cases) {
    w.begin_object();
    w.kv("id", c.info->id);
    w.kv("key", c.key());
    w.kv("mode", c.mode);
    w.kv("area", c.info->area());
    w.kv("requirement", c.info->requirement);
    w.kv("source", c.info->source);
    w.key("modes");
    w.begin_array();
    for (const auto& [bit, mode_name] : kModeNames)
      if (c.info->modes & bit) w.value(mode_name);
    w.end_array();
    w.kv("verdict", to_string(c.verdict));
    if (c.expected) {
      w.kv("expected", to_string(*c.expected));
    } else {
      w.key("expected");
      w.null();
    }
    w.kv("unexpected", c.unexpected);
    w.kv("checked", c.checked);
    w.kv("seconds", c.seconds);
    w.key("inputs");
    w.begin_array();
    for (const auto& i : c.inputs) {
      w.begin_object();
      w.kv("input", i.input);
      w.kv("verdict", to_string(i.verdict));
      w.kv("checked", i.checked);
      w.end_object();
    }
    w.end_array();
    w.key("failures");
    w.begin_array();
    for (const auto& [in, f] : c.failures) finding_json(w, in, f);
    w.end_array();
    w.key("notes");
    w.begin_array();
    for (const auto& [in, f] : c.notes) finding_json(w, in, f);
    w.end_array();
    w.key("wire_log");
    w.begin_array();
    for (const auto& l : c.wire_log) w.value(l);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str() + "\n";
}

std::string to_junit(const Report& r) {
  std::map<std::string_view, std::vector<const CaseReport*>> by_area;
  for (const auto& c : r.cases) by_area[c.info->area()].push_back(&c);
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "<testsuites name=\"cephwire conformance\" tests=\"%zu\" failures=\"%zu\">\n",
                r.cases.size(), r.unexpected);
  o += buf;
  for (const auto& [area, cases] : by_area) {
    size_t failures = 0, skipped = 0;
    double secs = 0;
    for (const auto* c : cases) {
      failures += c->unexpected;
      skipped += c->verdict == Verdict::kNotExercised || c->verdict == Verdict::kUnsupported;
      secs += c->seconds;
    }
    std::snprintf(buf, sizeof buf, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
                  xml_escape(area).c_str(), cases.size(), failures, skipped, secs);
    o += buf;
    for (const auto* c : cases) {
      std::snprintf(buf, sizeof buf, "    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">\n",
                    xml_escape(area).c_str(), xml_escape(c->key()).c_str(), c->seconds);
      o += buf;
      if (c->unexpected) {
        std::string msg = c->verdict == Verdict::kFail
                              ? std::string("fails: ") + std::string(c->info->requirement)
                              : "expected to fail but " + std::string(to_string(c->verdict));
        o += "      <failure message=\"" + xml_escape(msg) + "\">";
        for (const auto& [in, f] : c->failures)
          o += xml_escape(in + ": frame " + std::to_string(f.frame) + " stream " +
                          std::to_string(f.conn) + ": " + f.text) + "\n";
        o += "</failure>\n";
      } else if (c->verdict == Verdict::kNotExercised || c->verdict == Verdict::kUnsupported) {
        o += "      <skipped message=\"" + xml_escape(to_string(c->verdict)) + "\"/>\n";
      }
      o += "      <system-out>" + xml_escape(std::string("verdict: ") + std::string(to_string(c->verdict)) +
                                             "; " + std::string(c->info->requirement)) + "</system-out>\n";
      o += "    </testcase>\n";
    }
    o += "  </testsuite>\n";
  }
  o += "</testsuites>\n";
  return o;
}

std::string to_html(const Report& r) {
  // The data goes in as JSON; "</" is escaped so it cannot end the script element.
  std::string data = to_json(r);
  std::string safe;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '<' && i + 1 < data.size() && data[i + 1] == '/') {
      safe += "<\\/";
      ++i;
    } else {
      safe += data[i];
    }
  }
  std::string o = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>cephwire conformance report</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.sum{margin:.3em 0 1em;color:#444}
table.matrix{border-collapse:collapse}
.matrix td{padding:2px 4px;vertical-align:top}
.matrix td.area{font-weight:600;padding-right:1em;white-space:nowrap}
.cell{display:inline-block;min-width:1.6em;height:1.6em;margin:1px;border-radius:3px;cursor:pointer;
 border:1px solid #0002;font-size:11px;line-height:1.6em;text-align:center;color:#fff}
.v-pass{background:#2e8b57}.v-non-strict{background:#d4a017}.v-fail{background:#c0392b}
.v-informational{background:#3b7dd8}.v-unsupported{background:#7f8c8d}.v-not-exercised{background:#ccc;color:#444}
.cell.unexpected{outline:3px solid #000}
.legend span{margin-right:1em}.legend .cell{cursor:default}
.case{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.2em .6em}
.case summary{cursor:pointer}
.case .id{font-family:monospace;font-weight:600}
.badge{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:.85em;margin-left:.5em}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:12px}
.k{color:#666;width:8em;display:inline-block}
.badge.mode{background:#555}
.matrix th.mode{font-weight:600;text-align:left;padding:2px 4px}
</style></head><body>
<h1>cephwire conformance report</h1>
<div class="sum" id="summary"></div>
<div class="legend" id="legend"></div>
<table class="matrix" id="matrix"></table>
<h2 style="font-size:1.1em">Cases</h2>
<div id="cases"></div>
<script type="application/json" id="data">)HTML";
  o += safe;
  o += R"HTML(</script>
<script>
const data = JSON.parse(document.getElementById('data').textContent);
const V = ['pass','non-strict','fail','informational','unsupported','not-exercised'];
const LETTER = {'pass': 'P', 'non-strict': 'S', 'fail': 'F', 'informational': 'I',
                'unsupported': 'U', 'not-exercised': '-'};
const el = (t, a = {}, ...kids) => { const e = document.createElement(t);
  for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
  for (const k of kids) e.append(k); return e; };
const s = data.summary;
document.getElementById('summary').textContent =
  `${data.implementation || 'implementation under test'}: ${s.cases} cases, ${s.passed} passed, ` +
  `${s.failed} failed (${s.expected_failures} expected), ${s.unexpected} unexpected; ` +
  `inputs: ${data.inputs.length}`;
const legend = document.getElementById('legend');
for (const v of V) legend.append(el('span', {}, el('span', {class: 'cell v-' + v}, ' '), ' ' + v));
const areas = {};
for (const c of data.cases) (areas[c.area] = areas[c.area] || []).push(c);
const modes = ['check', 'replay', 'live'].filter(m => data.cases.some(c => c.mode === m));
const matrix = document.getElementById('matrix');
const list = document.getElementById('cases');
const details = {};
const head = el('tr', {}, el('th', {}, ''));
for (const m of modes) head.append(el('th', {class: 'mode'}, m));
matrix.append(head);
for (const [area, cases] of Object.entries(areas)) {
  const row = el('tr', {}, el('td', {class: 'area'}, area));
  for (const m of modes) {
    const cells = el('td', {class: 'mode-' + m});
    for (const c of cases.filter(x => x.mode === m)) {
      const cell = el('span', {class: 'cell v-' + c.verdict + (c.unexpected ? ' unexpected' : ''),
                               title: c.id + ' (' + c.mode + '): ' + c.verdict, 'data-case': c.key},
                      LETTER[c.verdict]);
      cell.onclick = () => open(c.key);
      cells.append(cell);
    }
    row.append(cells);
  }
  matrix.append(row);
}
for (const c of data.cases) {
  const d = el('details', {class: 'case', id: 'case-' + c.key});
  d.append(el('summary', {}, el('span', {class: 'id'}, c.id),
              el('span', {class: 'badge mode'}, c.mode),
              el('span', {class: 'badge v-' + c.verdict}, c.verdict +
                 (c.expected ? ' (expected ' + c.expected + ')' : ''))));
  details[c.key] = d;
  d.addEventListener('toggle', () => { if (d.open && !d.dataset.filled) fill(d, c); });
  list.append(d);
}
function fill(d, c) {
  d.dataset.filled = '1';
  const row = (k, v) => el('div', {}, el('span', {class: 'k'}, k), v);
  d.append(row('requirement', c.requirement), row('source', c.source),
           row('mode', c.mode + ' (runs in: ' + c.modes.join(', ') + ')'),
           row('checked', String(c.checked) + ' times in ' +
           c.inputs.filter(i => i.checked).length + ' inputs'));
  const f = c.failures.concat(c.notes).map(x => `${x.input}: frame ${x.frame} stream ${x.stream}: ${x.text}`);
  if (f.length) d.append(el('div', {}, 'findings:'), el('pre', {class: 'findings'}, f.join('\n')));
  d.append(el('div', {}, 'wire log:'),
           el('pre', {class: 'wire-log'}, c.wire_log.length ? c.wire_log.join('\n') : '(no messages)'));
}
function open(id) {
  const d = details[id];
  if (!d) return;
  d.open = true;
  fill_if(d, id);
  d.scrollIntoView();
}
function fill_if(d, id) {
  const c = data.cases.find(x => x.key === id);
  if (!d.dataset.filled) fill(d, c);
}
const m = location.hash.match(/^#case=(.+)$/);
if (m) open(decodeURIComponent(m[1]));
</script></body></html>
)HTML";
  return o;
}

}  // namespace cephwire::conformance
