import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __require
} from "./chunk-LQK3ML4U.js";

// node_modules/markdown-table/index.js
function defaultStringLength(value) {
  return value.length;
}
function markdownTable(table, options) {
  const settings = options || {};
  const align = (settings.align || []).concat();
  const stringLength = settings.stringLength || defaultStringLength;
  const alignments = [];
  const cellMatrix = [];
  const sizeMatrix = [];
  const longestCellByColumn = [];
  let mostCellsPerRow = 0;
  let rowIndex = -1;
  while (++rowIndex < table.length) {
    const row2 = [];
    const sizes2 = [];
    let columnIndex2 = -1;
    if (table[rowIndex].length > mostCellsPerRow) {
      mostCellsPerRow = table[rowIndex].length;
    }
    while (++columnIndex2 < table[rowIndex].length) {
      const cell2 = serialize(table[rowIndex][columnIndex2]);
      if (settings.alignDelimiters !== false) {
        const size = stringLength(cell2);
        sizes2[columnIndex2] = size;
        if (longestCellByColumn[columnIndex2] === void 0 || size > longestCellByColumn[columnIndex2]) {
          longestCellByColumn[columnIndex2] = size;
        }
      }
      row2.push(cell2);
    }
    cellMatrix[rowIndex] = row2;
    sizeMatrix[rowIndex] = sizes2;
  }
  let columnIndex = -1;
  if (typeof align === "object" && "length" in align) {
    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = toAlignment(align[columnIndex]);
    }
  } else {
    const code2 = toAlignment(align);
    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = code2;
    }
  }
  columnIndex = -1;
  const row = [];
  const sizes = [];
  while (++columnIndex < mostCellsPerRow) {
    const code2 = alignments[columnIndex];
    let before = "";
    let after = "";
    if (code2 === 99) {
      before = ":";
      after = ":";
    } else if (code2 === 108) {
      before = ":";
    } else if (code2 === 114) {
      after = ":";
    }
    let size = settings.alignDelimiters === false ? 1 : Math.max(
      1,
      longestCellByColumn[columnIndex] - before.length - after.length
    );
    const cell2 = before + "-".repeat(size) + after;
    if (settings.alignDelimiters !== false) {
      size = before.length + size + after.length;
      if (size > longestCellByColumn[columnIndex]) {
        longestCellByColumn[columnIndex] = size;
      }
      sizes[columnIndex] = size;
    }
    row[columnIndex] = cell2;
  }
  cellMatrix.splice(1, 0, row);
  sizeMatrix.splice(1, 0, sizes);
  rowIndex = -1;
  const lines = [];
  while (++rowIndex < cellMatrix.length) {
    const row2 = cellMatrix[rowIndex];
    const sizes2 = sizeMatrix[rowIndex];
    const cellsInRow = settings.fillRows === false ? Math.max(1, cellMatrix[rowIndex === 1 ? 0 : rowIndex].length) : mostCellsPerRow;
    columnIndex = -1;
    const line = [];
    while (++columnIndex < cellsInRow) {
      const cell2 = row2[columnIndex] || "";
      let before = "";
      let after = "";
      if (settings.alignDelimiters !== false) {
        const size = longestCellByColumn[columnIndex] - (sizes2[columnIndex] || 0);
        const code2 = alignments[columnIndex];
        if (code2 === 114) {
          before = " ".repeat(size);
        } else if (code2 === 99) {
          const half = size / 2;
          if (size % 2) {
            before = " ".repeat(half + 0.5);
            after = " ".repeat(half - 0.5);
          } else {
            before = " ".repeat(half);
            after = before;
          }
        } else {
          after = " ".repeat(size);
        }
      }
      if (settings.delimiterStart !== false && !columnIndex) {
        line.push("|");
      }
      if (settings.padding !== false && // Don\u{2019}t add the opening space if we\u{2019}re not aligning and the cell is
      // empty: there will be a closing space.
      !(settings.alignDelimiters === false && cell2 === "") && (settings.delimiterStart !== false || columnIndex)) {
        line.push(" ");
      }
      if (settings.alignDelimiters !== false) {
        line.push(before);
      }
      line.push(cell2);
      if (settings.alignDelimiters !== false) {
        line.push(after);
      }
      if (settings.padding !== false) {
        line.push(" ");
      }
      if (settings.delimiterEnd !== false || columnIndex !== cellsInRow - 1) {
        line.push("|");
      }
    }
    lines.push(
      settings.delimiterEnd === false ? line.join("").replace(/ +$/, "") : line.join("")
    );
  }
  return lines.join("\n");
}
function serialize(value) {
  return value === null || value === void 0 ? "" : String(value);
}
function toAlignment(value) {
  const code2 = typeof value === "string" ? value.codePointAt(0) : 0;
  return code2 === 67 || code2 === 99 ? 99 : code2 === 76 || code2 === 108 ? 108 : code2 === 82 || code2 === 114 ? 114 : 0;
}

// src/report/format.ts
var VALUE_WIDTH = 80;
function shortJson(value, width = VALUE_WIDTH) {
  const json = JSON.stringify(value) ?? "undefined";
  const chars = Array.from(json);
  return chars.length <= width ? json : `${chars.slice(0, width - 1).join("")}\u2026`;
}
function fieldName(change) {
  return change.keyedPath ?? change.path;
}
function beforeAfter(change, show = shortJson) {
  const before = "before" in change && change.before !== void 0 ? show(change.before) : "(absent)";
  const after = "after" in change && change.after !== void 0 ? show(change.after) : "(removed)";
  return `${before} \u2192 ${after}`;
}
function relativeTime(time, now) {
  const seconds = Math.round((Date.parse(now) - Date.parse(time)) / 1e3);
  if (!Number.isFinite(seconds)) return `at ${time}`;
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
function attributionText(changedBy, now) {
  if (changedBy === void 0) return "";
  if (changedBy === null) return "no field manager owns it";
  const parts = [`by ${changedBy.manager}${changedBy.controller ? " (controller)" : ""}`];
  if (changedBy.time) parts.push(relativeTime(changedBy.time, now));
  return parts.join(", ");
}
function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
function byteLength(text) {
  return Buffer.byteLength(text, "utf8");
}
function cutToBytes(text, budget) {
  if (byteLength(text) <= budget) return text;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}
var ACTION_LABEL = {
  diff: {
    created: "to create",
    configured: "configured",
    deleted: "to delete",
    unchanged: "unchanged",
    skipped: "skipped"
  },
  apply: {
    created: "created",
    configured: "configured",
    deleted: "deleted",
    unchanged: "unchanged",
    skipped: "skipped"
  }
};
function verdict(report) {
  const s = report.summary;
  const labels = ACTION_LABEL[report.mode];
  const driftParts = [
    s.configured > 0 ? `${s.configured} ${labels.configured}` : "",
    s.created > 0 ? `${s.created} ${labels.created}` : "",
    s.deleted > 0 ? `${s.deleted} ${labels.deleted}` : ""
  ].filter(Boolean);
  const across = `across ${plural(report.entries.length, "object")}`;
  if (s.errors > 0) {
    const what = driftParts.length > 0 ? `drift: ${driftParts.join(", ")} ${across}` : `no drift found ${across}`;
    return { icon: "\u274C", text: `${plural(s.errors, "error")}, the comparison is incomplete; ${what}` };
  }
  if (driftParts.length > 0) {
    return report.mode === "apply" ? { icon: "\u{1F527}", text: `Applied Git: ${driftParts.join(", ")} ${across}` } : { icon: "\u26A0\uFE0F", text: `Drift: ${driftParts.join(", ")} ${across}` };
  }
  const skipped = s.skipped > 0 ? ` (${s.skipped} skipped)` : "";
  const matches = s.unchanged === 1 ? "matches" : "match";
  return { icon: "\u2705", text: `In sync: ${plural(s.unchanged, "object")} ${matches} Git${skipped}` };
}
var RANK = { danger: 0, warning: 1, info: 2 };
var ORIGIN_TEXT = {
  pr: "this PR",
  drift: "drift the merge would revert",
  both: "this PR, over drift the merge would revert"
};
function bySeverity(findings) {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
function reviewParts(findings) {
  const sorted = bySeverity(findings);
  return {
    lines: sorted.filter((finding) => !finding.accepted && finding.rule !== "image-change"),
    images: sorted.filter((finding) => !finding.accepted && finding.rule === "image-change"),
    accepted: sorted.filter((finding) => finding.accepted)
  };
}
function findingTags(finding) {
  return [finding.predicted ? "predicted" : "", finding.origin ? ORIGIN_TEXT[finding.origin] : ""].filter(Boolean).join(" \xB7 ");
}
function verificationText(v) {
  const parts = [`${v.proof} by proof`, `${v.dryRun} by dry-run`];
  if (v.clientSide > 0) parts.push(`${v.clientSide} client-side`);
  if (v.notVerifiable > 0) parts.push(`${v.notVerifiable} not verifiable without a dry-run`);
  return `verified ${parts.join(", ")}`;
}

// src/report/json.ts
function ordered(source, keys) {
  const out = {};
  for (const key of keys) {
    if (source[key] !== void 0) out[key] = source[key];
  }
  return out;
}
function sortedValue(value) {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) {
      const inner = value[key];
      if (inner !== void 0) out[key] = sortedValue(inner);
    }
    return out;
  }
  return value;
}
function attributionJson(changedBy) {
  if (changedBy === null) return null;
  return ordered(changedBy, ["manager", "operation", "subresource", "time", "controller"]);
}
function changeJson(change) {
  const out = { path: change.path };
  if (change.keyedPath !== void 0) out.keyedPath = change.keyedPath;
  if (change.before !== void 0) out.before = sortedValue(change.before);
  if (change.after !== void 0) out.after = sortedValue(change.after);
  if (change.changedBy !== void 0) out.changedBy = attributionJson(change.changedBy);
  if (change.class !== void 0) out.class = change.class;
  return out;
}
function entryJson(entry) {
  const out = ordered(entry, ["apiVersion", "kind", "namespace", "name", "action"]);
  if (entry.source) out.source = ordered(entry.source, ["file", "line"]);
  if (entry.group !== void 0) out.group = entry.group;
  out.changes = entry.changes.map(changeJson);
  out.diff = entry.diff;
  if (entry.note !== void 0) out.note = entry.note;
  if (entry.diffMode !== void 0) out.diffMode = entry.diffMode;
  if (entry.prStatus !== void 0) out.prStatus = entry.prStatus;
  return out;
}
function comparisonJson(comparison) {
  return comparison.kind === "three-way" ? { kind: comparison.kind, base: comparison.base } : { kind: comparison.kind };
}
function errorJson(error) {
  return ordered(error, ["message", "object", "file", "line"]);
}
function riskJson(finding) {
  const out = ordered(finding, ["rule", "severity", "subject"]);
  if (finding.source) out.source = ordered(finding.source, ["file", "line"]);
  out.message = finding.message;
  if (finding.predicted !== void 0) out.predicted = finding.predicted;
  if (finding.origin !== void 0) out.origin = finding.origin;
  if (finding.accepted) out.accepted = ordered(finding.accepted, ["reason", "by"]);
  if (finding.image) out.image = ordered(finding.image, ["container", "from", "to"]);
  return out;
}
function reportJson(report) {
  const out = ordered(report, [
    "schemaVersion",
    "target",
    "mode",
    "generatedAt",
    "kubeDriftVersion",
    "cluster",
    "revision"
  ]);
  out.comparison = comparisonJson(report.comparison);
  out.summary = ordered(report.summary, [
    "created",
    "configured",
    "unchanged",
    "deleted",
    "skipped",
    "errors"
  ]);
  out.driftDetected = report.driftDetected;
  out.entries = report.entries.map(entryJson);
  out.errors = report.errors.map(errorJson);
  if (report.notes?.length) out.notes = [...report.notes];
  out.risks = report.risks.map(riskJson);
  if (report.risksUnchecked?.length)
    out.risksUnchecked = report.risksUnchecked.map((gap) => ordered(gap, ["rule", "reason"]));
  if (report.riskVerdict) out.riskVerdict = ordered(report.riskVerdict, ["failOn", "failing", "failed"]);
  if (report.verification)
    out.verification = ordered(report.verification, ["dryRun", "proof", "clientSide", "notVerifiable"]);
  return out;
}
function renderJson(report) {
  return `${JSON.stringify(reportJson(report), null, 2)}
`;
}

// src/report/markdown-escape.ts
function oneLine(text) {
  return text.replace(/\r?\n|\r/g, " ");
}
function html(text) {
  return oneLine(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function md(text) {
  return oneLine(text).replace(/[\\`*_[\]<>|~&]/g, "\\$&");
}
function code(text) {
  const flat = oneLine(text);
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}
function fenceFor(content) {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longestRun + 1));
}
function location(file, line) {
  return line === void 0 ? file : `${file}:${line}`;
}

// src/model.ts
var NOT_COMPARED_NO_KEY = "not compared: encrypted, no key";
function refOf(object) {
  const slash = object.apiVersion.indexOf("/");
  return {
    group: slash === -1 ? "" : object.apiVersion.slice(0, slash),
    version: slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1),
    kind: object.kind,
    namespace: object.metadata.namespace ?? null,
    name: object.metadata.name
  };
}
function subjectOf(ref) {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}
function identityOf(ref) {
  return `${ref.group}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
}
function summarize(changeSet) {
  const summary = {
    created: 0,
    configured: 0,
    unchanged: 0,
    deleted: 0,
    skipped: 0,
    errors: 0
  };
  for (const entry of changeSet.entries) summary[entry.action]++;
  summary.errors = changeSet.errors.length;
  return summary;
}
function hasDrift(summary) {
  return summary.created + summary.configured + summary.deleted > 0;
}
var SEVERITY_RANK = { info: 0, warning: 1, danger: 2 };
function severityAtLeast(severity, threshold) {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

// src/report/model.ts
var SCHEMA_VERSION = "1";
function buildReport(changeSet, meta) {
  const summary = summarize(changeSet);
  const report = {
    schemaVersion: SCHEMA_VERSION,
    target: meta.target,
    mode: meta.mode,
    generatedAt: meta.generatedAt,
    kubeDriftVersion: meta.kubeDriftVersion,
    comparison: meta.comparison ?? { kind: "live" },
    summary,
    driftDetected: hasDrift(summary),
    entries: changeSet.entries.map((entry) => {
      const { group, version: version2, kind, namespace, name } = entry.ref;
      const reportEntry = {
        apiVersion: group === "" ? version2 : `${group}/${version2}`,
        kind,
        namespace,
        name,
        action: entry.action,
        changes: entry.changes,
        diff: entry.diff
      };
      if (entry.source) reportEntry.source = entry.source;
      if (entry.group !== void 0) reportEntry.group = entry.group;
      if (entry.note !== void 0) reportEntry.note = entry.note;
      if (entry.diffMode !== void 0) reportEntry.diffMode = entry.diffMode;
      if (entry.prStatus !== void 0) reportEntry.prStatus = entry.prStatus;
      return reportEntry;
    }),
    errors: changeSet.errors,
    risks: changeSet.risks?.findings ?? []
  };
  if (changeSet.notes?.length) report.notes = changeSet.notes;
  if (changeSet.risks?.unchecked.length) report.risksUnchecked = changeSet.risks.unchecked;
  if (changeSet.verification) report.verification = changeSet.verification;
  if (meta.cluster !== void 0) report.cluster = meta.cluster;
  if (meta.revision !== void 0) report.revision = meta.revision;
  return report;
}
function entrySubject(entry) {
  return entry.namespace ? `${entry.kind}/${entry.namespace}/${entry.name}` : `${entry.kind}/${entry.name}`;
}
function isDrifted(entry) {
  return entry.action === "created" || entry.action === "configured" || entry.action === "deleted";
}
function isThreeWay(report) {
  return report.comparison.kind === "three-way";
}

// src/report/risk-verdict.ts
function judgeRisks(findings, failOn) {
  if (failOn === "none") return void 0;
  const failing = findings.filter(
    (finding) => !finding.accepted && severityAtLeast(finding.severity, failOn)
  ).length;
  return { failOn, failing, failed: failing > 0 };
}
function riskVerdictText(verdict2, report) {
  const accepted = report.risks.filter(
    (finding) => finding.accepted && severityAtLeast(finding.severity, verdict2.failOn)
  ).length;
  const unchecked = report.risksUnchecked?.length ?? 0;
  const extra = [
    accepted > 0 ? `${accepted} accepted not counted` : "",
    unchecked > 0 ? `${plural(unchecked, "rule")} could not be checked` : ""
  ].filter(Boolean);
  const tail = `${extra.map((text) => `; ${text}`).join("")} (fail-on-risk: ${verdict2.failOn})`;
  if (verdict2.failed)
    return `failed: ${plural(verdict2.failing, "risk finding")} at or above ${verdict2.failOn}${tail}`;
  return `passed: no risk finding at or above ${verdict2.failOn}${tail}`;
}
function riskFailure(report) {
  return report.riskVerdict?.failed ? riskVerdictText(report.riskVerdict, report) : void 0;
}
function statusWithRisks(status, verdict2) {
  return status === 0 && verdict2?.failed ? 1 : status;
}

// src/report/markdown-head.ts
function contextLine(report) {
  const parts = [`Target ${code(report.target)}`];
  if (report.cluster) parts.push(`cluster ${code(report.cluster)}`);
  if (report.revision) parts.push(`revision ${code(report.revision)}`);
  parts.push(`kube-drift ${md(report.kubeDriftVersion)}`, md(report.generatedAt));
  if (report.verification) parts.push(verificationText(report.verification));
  return parts.join(" \xB7 ");
}
function summaryTable(report) {
  const labels = ACTION_LABEL[report.mode];
  const order = ["created", "configured", "deleted", "unchanged", "skipped"];
  const rows = order.map((action) => [labels[action], String(report.summary[action])]);
  rows.push(["errors", String(report.summary.errors)]);
  return markdownTable([["Objects", "Count"], ...rows], { align: ["l", "r"] });
}
function whoChangedTable(report) {
  const byManager = /* @__PURE__ */ new Map();
  for (const entry of report.entries) {
    for (const change of entry.changes) {
      if (!change.changedBy) continue;
      const name = `${change.changedBy.manager}${change.changedBy.controller ? " (controller)" : ""}`;
      const row = byManager.get(name) ?? { objects: /* @__PURE__ */ new Set(), fields: 0 };
      row.objects.add(entrySubject(entry));
      row.fields++;
      const time = change.changedBy.time;
      if (time && (!row.latest || time > row.latest)) row.latest = time;
      byManager.set(name, row);
    }
  }
  const objects = new Set([...byManager.values()].flatMap((row) => [...row.objects]));
  if (objects.size < 2) return "";
  const rows = [...byManager.entries()].sort((a, b) => b[1].objects.size - a[1].objects.size || a[0].localeCompare(b[0])).slice(0, 10).map(([name, row]) => [
    code(name),
    String(row.objects.size),
    String(row.fields),
    row.latest ? relativeTime(row.latest, report.generatedAt) : ""
  ]);
  return markdownTable([["Changed by", "Objects", "Fields", "Last write"], ...rows], {
    align: ["l", "r", "r", "l"]
  });
}
function errorItem(error) {
  const where = [
    error.object ? code(error.object) : "",
    error.file ? code(location(error.file, error.line)) : ""
  ].filter(Boolean).join(" in ");
  const lines = error.message.split(/\r?\n/);
  const head = `- ${where ? `${where}: ` : ""}${md(lines[0])}`;
  if (lines.length === 1) return head;
  const rest = lines.slice(1).join("\n");
  const fence = fenceFor(rest);
  return `${head}

  ${fence}text
${rest.split("\n").map((line) => `  ${line}`).join("\n")}
  ${fence}`;
}
function skippedSection(report) {
  const skipped = report.entries.filter((entry) => entry.action === "skipped");
  if (skipped.length === 0) return "";
  const items = skipped.map(
    (entry) => `- ${code(entrySubject(entry))}${entry.note ? `: ${md(entry.note)}` : ""}`
  );
  return `### Skipped (${skipped.length})

${items.join("\n")}
`;
}
function notedSection(report) {
  const noted = report.entries.filter((entry) => entry.action === "unchanged" && entry.note);
  if (noted.length === 0) return "";
  const items = noted.map((entry) => `- ${code(entrySubject(entry))}: ${md(entry.note)}`);
  return `### In sync, with a note (${noted.length})

${items.join("\n")}
`;
}
function headSection(report, options, review = "") {
  const parts = [];
  if (options.title) parts.push(`## ${md(options.title)}`);
  parts.push(`**${verdict(report).icon} ${verdict(report).text}**`);
  if (report.riskVerdict) {
    const icon = report.riskVerdict.failed ? "\u26D4" : "\u2705";
    parts.push(`**${icon} Risk review ${md(riskVerdictText(report.riskVerdict, report))}**`);
  }
  parts.push(contextLine(report));
  if (review) parts.push(review.trimEnd());
  parts.push(summaryTable(report));
  const who = whoChangedTable(report);
  if (who) parts.push(who);
  if (report.errors.length > 0) {
    parts.push(`### Errors (${report.errors.length})

${report.errors.map(errorItem).join("\n")}`);
  }
  if (report.notes?.length)
    parts.push(`### Notes

${report.notes.map((note) => `- ${md(note)}`).join("\n")}`);
  return `${parts.join("\n\n")}
`;
}

// src/report/markdown-objects.ts
var CLASS_SECTIONS = [
  { changeClass: "pr", heading: "Changes in this PR" },
  {
    changeClass: "both",
    heading: "\u26A0\uFE0F Both changed by this PR and drifted in the cluster",
    callout: "[!WARNING]\n> These fields were changed in the cluster outside Git and are changed again by this PR: merging overwrites the live values, which may be someone's hot-fix."
  },
  { changeClass: "drift", heading: "Drift already in the cluster (merging reverts it)" }
];
function sourceHtml(entry, fileUrl2) {
  if (!entry.source) return "";
  const text = `<code>${html(location(entry.source.file, entry.source.line))}</code>`;
  return fileUrl2 ? ` \xB7 <a href="${html(fileUrl2(entry.source.file, entry.source.line))}">${text}</a>` : ` \xB7 ${text}`;
}
function sourceMd(entry, fileUrl2) {
  if (!entry.source) return "";
  const text = code(location(entry.source.file, entry.source.line));
  if (!fileUrl2) return ` \xB7 ${text}`;
  const url = fileUrl2(entry.source.file, entry.source.line).replace(
    /[\s()<>]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`
  );
  return ` \xB7 [${text}](${url})`;
}
function fieldItem(change, now) {
  const who = attributionText(change.changedBy, now);
  return `- ${code(fieldName(change))}: ${beforeAfter(change, (value) => code(shortJson(value)))}${who ? ` (${md(who)})` : ""}`;
}
function diffBlock(diff, maxLines) {
  const lines = diff.replace(/\n$/, "").split("\n");
  const kept = lines.length > maxLines ? lines.slice(0, maxLines) : lines;
  const body = kept.join("\n");
  const fence = fenceFor(body);
  const more = lines.length - kept.length;
  const cutNote = more > 0 ? `

\u2026 ${plural(more, "more line")} of diff not shown` : "";
  return `${fence}diff
${body}
${fence}${cutNote}`;
}
function objectBlock(view, report, detail, options) {
  const { entry, changes } = view;
  const action = ACTION_LABEL[report.mode][entry.action];
  const fieldCount = changes.length > 0 ? `, ${plural(changes.length, "field")}` : "";
  if (detail.fields === 0) {
    return `- ${code(entrySubject(entry))} ${action}${fieldCount}${sourceMd(entry, options.fileUrl)}
`;
  }
  const parts = [];
  if (entry.prStatus) parts.push(`_${entry.prStatus} by this PR_`);
  if (entry.note) parts.push(`_${md(entry.note)}_`);
  if (entry.diffMode === "client")
    parts.push("_Compared client-side: the API server could not dry-run this object._");
  if (changes.length > 0) {
    const listed = changes.slice(0, detail.fields).map((change) => fieldItem(change, report.generatedAt));
    if (changes.length > listed.length)
      listed.push(`- \u2026 ${plural(changes.length - listed.length, "more field")}`);
    parts.push(listed.join("\n"));
  }
  if (view.showDiff && entry.diff !== "" && detail.diffLines > 0)
    parts.push(diffBlock(entry.diff, detail.diffLines));
  else if (view.diffElsewhere && detail.diffLines > 0)
    parts.push(`_The diff is shown under ${md(view.diffElsewhere)}._`);
  const summary = `<summary><code>${html(entrySubject(entry))}</code> ${html(action)}${html(fieldCount)}${sourceHtml(entry, options.fileUrl)}</summary>`;
  return `<details>
${summary}

${parts.join("\n\n")}

</details>

`;
}
function* groupedBlocks(views, report, detail, options, headingLevel, groupNames) {
  const byGroup = /* @__PURE__ */ new Map();
  for (const view of views) {
    const key = view.entry.group ?? "";
    const members = byGroup.get(key);
    if (members) members.push(view);
    else byGroup.set(key, [view]);
  }
  const oneLinePerObject = detail.fields === 0;
  for (const [group, groupViews] of byGroup) {
    if (groupNames) {
      yield { text: `${headingLevel} ${group === "" ? "Other objects" : md(group)}

`, objects: 0 };
    }
    for (const view of groupViews) yield { text: objectBlock(view, report, detail, options), objects: 1 };
    if (oneLinePerObject) yield { text: "\n", objects: 0 };
  }
}
function* bodyBlocks(report, detail, options) {
  const drifted = report.entries.filter(isDrifted);
  const groups = new Set(drifted.map((entry) => entry.group ?? ""));
  const groupNames = groups.size > 1;
  if (!isThreeWay(report)) {
    const views = drifted.map((entry) => ({ entry, changes: entry.changes, showDiff: true }));
    yield* groupedBlocks(views, report, detail, options, "###", groupNames);
    return;
  }
  const configured = drifted.filter((entry) => entry.action === "configured");
  const classViews = (changeClass) => configured.map((entry) => ({ entry, changes: entry.changes.filter((change) => change.class === changeClass) })).filter((view) => view.changes.length > 0);
  const wholeObjects = (byThisPr) => drifted.filter((entry) => entry.action !== "configured" && entry.prStatus !== void 0 === byThisPr).map((entry) => ({ entry, changes: entry.changes }));
  const [prSection, ...otherClassSections] = CLASS_SECTIONS.map(({ changeClass, heading: heading2, callout }) => ({
    heading: heading2,
    callout,
    views: classViews(changeClass)
  }));
  const sections = [
    prSection,
    // Objects the PR adds or removes are its own changes: they follow the PR's fields.
    { heading: "Objects added or removed by this PR", callout: void 0, views: wholeObjects(true) },
    ...otherClassSections,
    { heading: "Objects to create or delete", callout: void 0, views: wholeObjects(false) },
    { heading: "Other changes (no class)", callout: void 0, views: classViews(void 0) }
  ];
  const diffShownIn = /* @__PURE__ */ new Map();
  for (const section of sections) {
    if (section.views.length === 0) continue;
    yield {
      text: `### ${section.heading}

${section.callout ? `> ${section.callout}

` : ""}`,
      objects: 0
    };
    const views = section.views.map((view) => {
      const shownIn = diffShownIn.get(view.entry);
      if (shownIn === void 0) diffShownIn.set(view.entry, section.heading);
      return { ...view, showDiff: shownIn === void 0, diffElsewhere: shownIn };
    });
    yield* groupedBlocks(views, report, detail, options, "####", groupNames);
  }
}

// src/report/markdown-review.ts
var MARKER = { danger: "\u{1F534}", warning: "\u{1F7E1}", info: "\u{1F535}" };
var SEVERITIES = ["danger", "warning", "info"];
function findingLine(finding, fileUrl2) {
  const tags = findingTags(finding);
  const marker = finding.accepted ? "\u2611\uFE0F" : MARKER[finding.severity];
  const head = `${marker} **${finding.severity}** ${code(finding.rule)} ${code(finding.subject)}${sourceMd(finding, fileUrl2)}`;
  const accepted = finding.accepted ? ` **Accepted** (${finding.accepted.by === "annotation" ? "annotation kube-drift.dev/accept-risk" : "accept-risk setting"}): ${md(finding.accepted.reason)}` : "";
  return `- ${head}: ${md(finding.message)}${tags ? ` _(${tags})_` : ""}${accepted}`;
}
function cell(text) {
  return text.replace(/\|/g, "\\|");
}
function imageRow(finding, fileUrl2) {
  const image = finding.image ?? { container: "" };
  const change = `${image.from ? code(image.from) : "(none)"} \u2192 ${image.to ? code(image.to) : "(removed)"}`;
  const tags = findingTags(finding);
  const workload = `${code(finding.subject)}${sourceMd(finding, fileUrl2)}`;
  return `| ${cell(workload)} | ${cell(code(image.container))} | ${cell(change)}${tags ? ` _(${tags})_` : ""} |`;
}
function heading(report, parts) {
  const open2 = [...parts.lines, ...parts.images];
  const counts = SEVERITIES.map((severity) => [
    severity,
    open2.filter((finding) => finding.severity === severity).length
  ]).filter(([, count]) => count !== 0);
  const bits = counts.map(([severity, count]) => `${count} ${severity}`);
  if (bits.length === 0) bits.push("no open findings");
  if (parts.accepted.length > 0) bits.push(`${parts.accepted.length} accepted`);
  const unchecked = report.risksUnchecked?.length ?? 0;
  if (unchecked > 0) bits.push(`${plural(unchecked, "rule")} not checked`);
  return `### Review: ${bits.join(" \xB7 ")}`;
}
function itemCount(parts) {
  return parts.lines.length + parts.images.length + parts.accepted.length;
}
function reviewSection(report, fileUrl2, keep = Infinity) {
  const parts = reviewParts(report.risks);
  const unchecked = report.risksUnchecked ?? [];
  if (itemCount(parts) === 0 && unchecked.length === 0) return "";
  let left = keep;
  const take = (findings) => {
    const kept = findings.slice(0, Math.max(0, left));
    left -= kept.length;
    return kept;
  };
  const lines = take(parts.lines);
  const images = take(parts.images);
  const accepted = take(parts.accepted);
  const blocks = [heading(report, parts)];
  if (lines.length > 0) blocks.push(lines.map((finding) => findingLine(finding, fileUrl2)).join("\n"));
  if (images.length > 0)
    blocks.push(
      [
        `**Images** (${parts.images.length})`,
        "",
        "| Workload | Container | Image |",
        "| --- | --- | --- |",
        ...images.map((finding) => imageRow(finding, fileUrl2))
      ].join("\n")
    );
  if (accepted.length > 0)
    blocks.push(
      `**Accepted** (${parts.accepted.length})

${accepted.map((finding) => findingLine(finding, fileUrl2)).join("\n")}`
    );
  const omitted = itemCount(parts) - lines.length - images.length - accepted.length;
  if (omitted > 0) blocks.push(`_\u2026 ${omittedText(parts, lines, images, accepted)} not shown here._`);
  if (unchecked.length > 0)
    blocks.push(
      `**Could not check** (${unchecked.length})

${unchecked.map((gap) => `- ${code(gap.rule)}: could not check: ${md(gap.reason)}`).join("\n")}`
    );
  return `${blocks.join("\n\n")}
`;
}
function omittedText(parts, lines, images, accepted) {
  const cutLines = parts.lines.slice(lines.length);
  const bits = SEVERITIES.map((severity) => [
    severity,
    cutLines.filter((finding) => finding.severity === severity).length
  ]).filter(([, count]) => count !== 0).map(([severity, count]) => `${count} ${severity}`);
  const cutImages = parts.images.length - images.length;
  const cutAccepted = parts.accepted.length - accepted.length;
  if (cutImages > 0) bits.push(plural(cutImages, "image change"));
  if (cutAccepted > 0) bits.push(`${cutAccepted} accepted`);
  const total = cutLines.length + cutImages + cutAccepted;
  return `${plural(total, "more finding")} (${bits.join(", ")})`;
}
function fitReview(report, fileUrl2, budgetBytes) {
  const full = reviewSection(report, fileUrl2);
  if (byteLength(full) <= budgetBytes) return { text: full };
  const total = itemCount(reviewParts(report.risks));
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (byteLength(reviewSection(report, fileUrl2, middle)) <= budgetBytes) low = middle;
    else high = middle - 1;
  }
  return {
    text: reviewSection(report, fileUrl2, low),
    cut: `${total - low} of ${total} risk findings are not shown (the most severe are kept)`
  };
}

// src/report/trim.ts
var MarkdownBlockState = class {
  fence = null;
  detailsDepth = 0;
  read(line) {
    if (this.fence) {
      const close2 = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
      if (close2 && close2[1][0] === this.fence.char && close2[1].length >= this.fence.length) this.fence = null;
      return;
    }
    const open2 = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open2 && !(open2[1][0] === "`" && open2[2].includes("`"))) {
      this.fence = { char: open2[1][0], length: open2[1].length };
      return;
    }
    if (/^ {0,3}<details[\s>]/i.test(line) || /^ {0,3}<details$/i.test(line)) this.detailsDepth++;
    else if (/^ {0,3}<\/details>/i.test(line) && this.detailsDepth > 0) this.detailsDepth--;
  }
  /** Lines that close whatever is open, in order. */
  closers() {
    let text = this.fence ? `${this.fence.char.repeat(this.fence.length)}
` : "";
    if (this.detailsDepth > 0) text += `${this.fence ? "" : "\n"}${"</details>\n".repeat(this.detailsDepth)}`;
    return text;
  }
  get atTopLevel() {
    return this.fence === null && this.detailsDepth === 0;
  }
};
function trimMarkdown(markdown, budgetBytes, notice) {
  if (byteLength(markdown) <= budgetBytes) return markdown;
  const budget = Math.max(0, Math.floor(budgetBytes));
  const noticeBlock = `
${notice.trimEnd()}
`;
  const noticeBytes = byteLength(noticeBlock);
  if (noticeBytes >= budget) return cutToBytes(noticeBlock.trimStart(), budget);
  const lines = markdown.split("\n");
  const state = new MarkdownBlockState();
  let prefixBytes = 0;
  let best = { lines: 0, bytes: 0, closers: "" };
  let bestTopLevel = { lines: 0, bytes: 0 };
  for (let index = 0; index < lines.length - 1; index++) {
    const lineBytes = byteLength(lines[index]) + 1;
    if (prefixBytes + lineBytes + noticeBytes > budget) break;
    prefixBytes += lineBytes;
    state.read(lines[index]);
    const closers = state.closers();
    if (prefixBytes + byteLength(closers) + noticeBytes <= budget) {
      best = { lines: index + 1, bytes: prefixBytes, closers };
      if (state.atTopLevel) bestTopLevel = { lines: index + 1, bytes: prefixBytes };
    }
  }
  const useTopLevel = bestTopLevel.lines > 0 && bestTopLevel.bytes * 2 >= best.bytes;
  const kept = useTopLevel ? bestTopLevel.lines : best.lines;
  const prefix = kept === 0 ? "" : `${lines.slice(0, kept).join("\n")}
`;
  const result = prefix + (useTopLevel ? "" : best.closers) + (kept === 0 ? noticeBlock.trimStart() : noticeBlock);
  return result;
}

// src/report/markdown.ts
var DEFAULT_MARKDOWN_BUDGET = 65536 - 1024;
var DETAIL_LEVELS = [
  { diffLines: Number.POSITIVE_INFINITY, fields: Number.POSITIVE_INFINITY },
  {
    diffLines: 60,
    fields: Number.POSITIVE_INFINITY,
    cut: "diffs longer than 60 lines are cut to their first 60"
  },
  {
    diffLines: 20,
    fields: Number.POSITIVE_INFINITY,
    cut: "diffs longer than 20 lines are cut to their first 20"
  },
  {
    diffLines: 0,
    fields: Number.POSITIVE_INFINITY,
    cut: "unified diffs are left out (field lists are kept)"
  },
  { diffLines: 0, fields: 10, cut: "unified diffs are left out and field lists cut to 10 fields per object" },
  { diffLines: 0, fields: 0, cut: "diffs and field lists are left out (one line per object)" }
];
function noticeText(cuts, options) {
  const hint = options.fullReportHint ?? "the full report is in the JSON report (`--output json`)";
  const hintSentence = `${hint[0].toUpperCase()}${hint.slice(1)}${hint.endsWith(".") ? "" : "."}`;
  return `> [!NOTE]
> This report was shortened to fit its size limit: ${cuts.join("; ")}. ${hintSentence}
`;
}
function lineCount(text, cap) {
  let count = 1;
  for (let at = text.indexOf("\n"); at !== -1 && count < cap; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
function joinBlocks(blocks) {
  return blocks.map((block) => block.text).join("").replace(/\n+$/, "\n");
}
function join(sections) {
  return sections.filter((section) => section !== "").join("\n");
}
var REVIEW_SHARE = 0.5;
function renderMarkdown(report, options = {}) {
  const budget = options.budgetBytes ?? DEFAULT_MARKDOWN_BUDGET;
  const review = fitReview(report, options.fileUrl, Math.floor(budget * REVIEW_SHARE));
  const head = headSection(report, options, review.text);
  const reviewCut = review.cut ? [review.cut] : [];
  const skipped = join([skippedSection(report), notedSection(report)]);
  const drifted = report.entries.filter(isDrifted);
  const longestCut = Math.max(...DETAIL_LEVELS.map((level) => level.diffLines).filter(Number.isFinite));
  const longestDiff = drifted.reduce(
    (longest, entry) => Math.max(longest, lineCount(entry.diff, longestCut + 1)),
    0
  );
  const mostFields = drifted.reduce((most, entry) => Math.max(most, entry.changes.length), 0);
  const fixedBytes = byteLength(head) + byteLength(skipped);
  for (const detail of DETAIL_LEVELS) {
    if (detail.diffLines > 0 && detail.cut && longestDiff <= detail.diffLines) continue;
    if (detail.fields > 0 && Number.isFinite(detail.fields) && mostFields <= detail.fields) continue;
    const cuts = [...reviewCut, ...detail.cut ? [detail.cut] : []];
    const notice2 = cuts.length > 0 ? noticeText(cuts, options) : "";
    const limit = budget - fixedBytes - byteLength(notice2) + 8;
    const blocks = [];
    let used2 = 0;
    for (const block of bodyBlocks(report, detail, options)) {
      used2 += byteLength(block.text);
      if (used2 > limit) break;
      blocks.push(block);
    }
    if (used2 > limit) continue;
    const markdown2 = join([head, joinBlocks(blocks), skipped, notice2]);
    if (byteLength(markdown2) <= budget) return markdown2;
  }
  const lastCut = DETAIL_LEVELS[DETAIL_LEVELS.length - 1].cut;
  const notice = (omittedObjects) => noticeText(
    [
      ...reviewCut,
      lastCut,
      omittedObjects > 0 ? `${omittedObjects} of ${drifted.length} drifted objects are not shown` : "",
      skipped !== "" ? "the list of skipped objects is left out" : ""
    ].filter(Boolean),
    options
  );
  let used = byteLength(head) + 1 + byteLength(notice(drifted.length)) + 1;
  const kept = [];
  let keptObjects = 0;
  for (const block of bodyBlocks(report, DETAIL_LEVELS[DETAIL_LEVELS.length - 1], options)) {
    const size = byteLength(block.text);
    if (used + size > budget) break;
    used += size;
    kept.push(block);
    keptObjects += block.objects;
  }
  while (kept.length > 0 && kept[kept.length - 1].objects === 0) kept.pop();
  const markdown = join([head, joinBlocks(kept), notice(drifted.length - keptObjects)]);
  if (byteLength(markdown) <= budget) return markdown;
  return trimMarkdown(
    markdown,
    budget,
    noticeText([...reviewCut, lastCut, "everything after the cut is left out"], options)
  );
}

// src/report/fleet.ts
var FLEET_COMMENT_BUDGET = 65e3 - 200;
var FLEET_FULL_REPORT_HINT = "each target's whole report is in its JSON report and in the job summary";
function roundTrip(report, redact) {
  return JSON.parse(redact(renderJson(report)));
}
function failedReport(target, message, mode, generatedAt, kubeDriftVersion) {
  return {
    schemaVersion: SCHEMA_VERSION,
    target,
    mode,
    generatedAt,
    kubeDriftVersion,
    comparison: { kind: "live" },
    summary: { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0, errors: 1 },
    driftDetected: false,
    entries: [],
    errors: [{ message }],
    risks: []
  };
}
function inSync(report) {
  return !report.driftDetected && report.errors.length === 0 && (report.risks?.length ?? 0) === 0;
}
function headline(reports) {
  const failed = reports.filter((r) => r.errors.length > 0).length;
  const synced = reports.filter(inSync).length;
  const drifted = reports.length - failed - synced;
  const riskFailed = reports.filter((r) => r.riskVerdict?.failed).length;
  const parts = [
    failed > 0 ? `\u274C ${failed} with errors` : "",
    riskFailed > 0 ? `\u26D4 ${riskFailed} failed the risk review` : "",
    drifted > 0 ? `\u26A0\uFE0F ${drifted} with drift` : "",
    synced > 0 ? `\u2705 ${synced} in sync` : ""
  ].filter(Boolean);
  const apply = reports.length > 0 && reports.every((r) => r.mode === "apply");
  return `**${plural(reports.length, "target")}${apply ? " applied" : ""}: ${parts.join(" \xB7 ")}**`;
}
function overviewTable(reports) {
  const rows = reports.map((r) => [
    code(r.target),
    verdict(r).icon,
    String(r.summary.created),
    String(r.summary.configured),
    String(r.summary.deleted),
    String(r.summary.unchanged),
    String(r.summary.errors)
  ]);
  return markdownTable([["Target", "", "Create", "Configure", "Delete", "In sync", "Errors"], ...rows], {
    align: ["l", "c", "r", "r", "r", "r", "r"]
  });
}
function syncedLine(report) {
  const v = verdict(report);
  const cluster = report.cluster ? ` \xB7 cluster ${code(report.cluster)}` : "";
  return `- ${v.icon} **${md(report.target)}**: ${md(v.text)}${cluster}`;
}
function shares(sizes, budget) {
  const result = new Array(sizes.length).fill(0);
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  let left = Math.max(0, budget);
  order.forEach(({ size, index }, position) => {
    const share = Math.floor(left / (order.length - position));
    result[index] = Math.min(size, share);
    left -= result[index];
  });
  return result;
}
function renderFleetMarkdown(reports, options) {
  const synced = reports.filter(inSync);
  const sectioned = reports.filter((r) => !inSync(r));
  const head = [
    `## kube-drift: ${plural(reports.length, "target")}`,
    headline(reports),
    overviewTable(reports),
    ...options.notes?.length ? [`> [!NOTE]
${options.notes.map((n) => `> ${md(n)}`).join("\n>\n")}`] : [],
    ...synced.length > 0 ? [`### In sync

${synced.map(syncedLine).join("\n")}`] : []
  ].join("\n\n");
  const render = (report, budgetBytes) => renderMarkdown(report, {
    budgetBytes,
    title: `kube-drift: ${report.target}`,
    fileUrl: options.fileUrl,
    fullReportHint: options.fullReportHint
  });
  const full = sectioned.map((r) => render(r, Number.MAX_SAFE_INTEGER));
  const room = options.budgetBytes - byteLength(head) - 2 * sectioned.length - 16;
  const budgets = shares(
    full.map((text2) => byteLength(text2)),
    room
  );
  const sections = sectioned.map(
    (r, i) => byteLength(full[i]) <= budgets[i] ? full[i] : render(r, budgets[i])
  );
  const text = `${[head, ...sections.map((s) => s.replace(/\n+$/, ""))].join("\n\n")}
`;
  return trimMarkdown(
    text,
    options.budgetBytes,
    "> [!NOTE]\n> This roll-up was cut to fit its size limit; every target\u2019s whole report is in its JSON report."
  );
}

// builtin-by-require:node:fs
var builtin = __require("node:fs");
var node_fs_default = builtin;
var appendFile;
var appendFileSync;
var access;
var accessSync;
var chown;
var chownSync;
var chmod;
var chmodSync;
var close;
var closeSync;
var copyFile;
var copyFileSync;
var cp;
var cpSync;
var createReadStream;
var createWriteStream;
var exists;
var existsSync;
var fchown;
var fchownSync;
var fchmod;
var fchmodSync;
var fdatasync;
var fdatasyncSync;
var fstat;
var fstatSync;
var fsync;
var fsyncSync;
var ftruncate;
var ftruncateSync;
var futimes;
var futimesSync;
var glob;
var globSync;
var lchown;
var lchownSync;
var lchmod;
var lchmodSync;
var link;
var linkSync;
var lstat;
var lstatSync;
var lutimes;
var lutimesSync;
var mkdir;
var mkdirSync;
var mkdtemp;
var mkdtempSync;
var mkdtempDisposableSync;
var open;
var openSync;
var openAsBlob;
var readdir;
var readdirSync;
var read;
var readSync;
var readv;
var readvSync;
var readFile;
var readFileSync;
var readlink;
var readlinkSync;
var realpath;
var realpathSync;
var rename;
var renameSync;
var rm;
var rmSync;
var rmdir;
var rmdirSync;
var stat;
var statfs;
var statSync;
var statfsSync;
var symlink;
var symlinkSync;
var truncate;
var truncateSync;
var unwatchFile;
var unlink;
var unlinkSync;
var utimes;
var utimesSync;
var watch;
var watchFile;
var writeFile;
var writeFileSync;
var write;
var writeSync;
var writev;
var writevSync;
var Dirent;
var Stats;
var _toUnixTimestamp;
var opendir;
var opendirSync;
var constants;
var promises;
({ appendFile, appendFileSync, access, accessSync, chown, chownSync, chmod, chmodSync, close, closeSync, copyFile, copyFileSync, cp, cpSync, createReadStream, createWriteStream, exists, existsSync, fchown, fchownSync, fchmod, fchmodSync, fdatasync, fdatasyncSync, fstat, fstatSync, fsync, fsyncSync, ftruncate, ftruncateSync, futimes, futimesSync, glob, globSync, lchown, lchownSync, lchmod, lchmodSync, link, linkSync, lstat, lstatSync, lutimes, lutimesSync, mkdir, mkdirSync, mkdtemp, mkdtempSync, mkdtempDisposableSync, open, openSync, openAsBlob, readdir, readdirSync, read, readSync, readv, readvSync, readFile, readFileSync, readlink, readlinkSync, realpath, realpathSync, rename, renameSync, rm, rmSync, rmdir, rmdirSync, stat, statfs, statSync, statfsSync, symlink, symlinkSync, truncate, truncateSync, unwatchFile, unlink, unlinkSync, utimes, utimesSync, watch, watchFile, writeFile, writeFileSync, write, writeSync, writev, writevSync, Dirent, Stats, _toUnixTimestamp, opendir, opendirSync, constants, promises } = builtin);

// src/errors.ts
var KubeDriftError = class extends Error {
  /** What the user can do about it, printed after the message. */
  hint;
  constructor(message, options) {
    super(message, options?.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "KubeDriftError";
    this.hint = options?.hint;
  }
};
var InputError = class extends KubeDriftError {
  file;
  line;
  constructor(message, options) {
    super(message, options);
    this.name = "InputError";
    this.file = options?.file;
    this.line = options?.line;
  }
};
function describeError(error) {
  if (error instanceof KubeDriftError)
    return error.hint ? `${error.message}
  ${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

// src/github/context.ts
function readPayload(path) {
  if (!path) return {};
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read the event payload ${path} (GITHUB_EVENT_PATH)`, {
      cause: error,
      file: path,
      hint: "Run inside GitHub Actions, or point GITHUB_EVENT_PATH at a webhook payload JSON file."
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`The event payload ${path} (GITHUB_EVENT_PATH) is not valid JSON`, {
      cause: error,
      file: path,
      hint: "GITHUB_EVENT_PATH must name the webhook payload JSON file GitHub writes for the run."
    });
  }
}
var PULL_REQUEST_EVENTS = /* @__PURE__ */ new Set(["pull_request", "pull_request_target"]);
function readRunContext(env = process.env) {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new InputError(`GITHUB_REPOSITORY must be "owner/repo", got ${JSON.stringify(repository)}`, {
      hint: "Run inside GitHub Actions, or set GITHUB_REPOSITORY (and GITHUB_SHA, GITHUB_EVENT_NAME) yourself."
    });
  }
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const apiUrl = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const context = {
    eventName,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? "",
    ref: env.GITHUB_REF ?? "",
    serverUrl,
    apiUrl
  };
  if (env.GITHUB_RUN_ID) {
    context.runUrl = `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`;
    if (env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== "1") {
      context.runUrl += `/attempts/${env.GITHUB_RUN_ATTEMPT}`;
    }
  }
  if (env.GITHUB_WORKFLOW) context.workflow = env.GITHUB_WORKFLOW;
  if (env.GITHUB_ACTOR) context.actor = env.GITHUB_ACTOR;
  const defaultBranch = payload.repository?.default_branch;
  if (defaultBranch) context.defaultBranch = defaultBranch;
  const pr = payload.pull_request;
  if (PULL_REQUEST_EVENTS.has(eventName) && pr && typeof pr.number === "number") {
    const headRepoFullName = pr.head?.repo?.full_name;
    context.pullRequest = {
      number: pr.number,
      headSha: pr.head?.sha ?? context.sha,
      baseSha: pr.base?.sha ?? "",
      isFork: headRepoFullName === void 0 || headRepoFullName.toLowerCase() !== `${owner}/${repo}`.toLowerCase()
    };
    if (headRepoFullName) context.pullRequest.headRepoFullName = headRepoFullName;
  }
  return context;
}
function reportSha(context) {
  return context.pullRequest?.headSha ?? context.sha;
}
function fileUrl(context, file, line) {
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${context.serverUrl}/${context.owner}/${context.repo}/blob/${reportSha(context)}/${path}#L${line}`;
}

// builtin-by-require:node:path
var builtin2 = __require("node:path");
var node_path_default = builtin2;
var resolve;
var normalize;
var isAbsolute;
var join2;
var relative;
var toNamespacedPath;
var dirname;
var basename;
var extname;
var format;
var parse;
var matchesGlob;
var sep;
var delimiter;
var win32;
var posix;
var _makeLong;
({ resolve, normalize, isAbsolute, join: join2, relative, toNamespacedPath, dirname, basename, extname, format, parse, matchesGlob, sep, delimiter, win32, posix, _makeLong } = builtin2);

// builtin-by-require:node:child_process
var builtin3;
var load = () => builtin3 ??= __require("node:child_process");
function exec(...args) {
  return load().exec(...args);
}
function execFile(...args) {
  return load().execFile(...args);
}
function execFileSync(...args) {
  return load().execFileSync(...args);
}
function execSync(...args) {
  return load().execSync(...args);
}
function fork(...args) {
  return load().fork(...args);
}
function spawn(...args) {
  return load().spawn(...args);
}
function spawnSync(...args) {
  return load().spawnSync(...args);
}
var node_child_process_default = { exec, execFile, execFileSync, execSync, fork, spawn, spawnSync };

// builtin-by-require:node:os
var builtin4 = __require("node:os");
var node_os_default = builtin4;
var arch;
var availableParallelism;
var cpus;
var endianness;
var freemem;
var getPriority;
var homedir;
var hostname;
var loadavg;
var networkInterfaces;
var platform;
var release;
var setPriority;
var tmpdir;
var totalmem;
var type;
var userInfo;
var uptime;
var version;
var machine;
var constants2;
var EOL;
var devNull;
({ arch, availableParallelism, cpus, endianness, freemem, getPriority, homedir, hostname, loadavg, networkInterfaces, platform, release, setPriority, tmpdir, totalmem, type, userInfo, uptime, version, machine, constants: constants2, EOL, devNull } = builtin4);

// builtin-by-require:node:string_decoder
var builtin5 = __require("node:string_decoder");
var StringDecoder;
({ StringDecoder } = builtin5);

// builtin-by-require:node:https
var builtin6 = __require("node:https");
var node_https_default = builtin6;
var Agent;
var globalAgent;
var Server;
var createServer;
var get;
var request;
({ Agent, globalAgent, Server, createServer, get, request } = builtin6);

// builtin-by-require:node:http
var builtin7 = __require("node:http");
var node_http_default = builtin7;
var _connectionListener;
var METHODS;
var STATUS_CODES;
var Agent2;
var ClientRequest;
var IncomingMessage;
var OutgoingMessage;
var Server2;
var ServerResponse;
var createServer2;
var validateHeaderName;
var validateHeaderValue;
var get2;
var request2;
var setMaxIdleHTTPParsers;
var setGlobalProxyFromEnv;
({ _connectionListener, METHODS, STATUS_CODES, Agent: Agent2, ClientRequest, IncomingMessage, OutgoingMessage, Server: Server2, ServerResponse, createServer: createServer2, validateHeaderName, validateHeaderValue, get: get2, request: request2, setMaxIdleHTTPParsers, setGlobalProxyFromEnv } = builtin7);

export {
  KubeDriftError,
  InputError,
  describeError,
  node_https_default,
  createServer,
  node_fs_default,
  accessSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  constants,
  promises,
  node_http_default,
  node_path_default,
  resolve,
  normalize,
  isAbsolute,
  join2 as join,
  relative,
  dirname,
  basename,
  extname,
  sep,
  delimiter,
  posix,
  execFile,
  execFileSync,
  spawn,
  node_child_process_default,
  NOT_COMPARED_NO_KEY,
  refOf,
  subjectOf,
  identityOf,
  node_os_default,
  availableParallelism,
  homedir,
  hostname,
  tmpdir,
  EOL,
  SCHEMA_VERSION,
  buildReport,
  entrySubject,
  isDrifted,
  isThreeWay,
  StringDecoder,
  renderJson,
  fieldName,
  beforeAfter,
  attributionText,
  plural,
  byteLength,
  cutToBytes,
  ACTION_LABEL,
  verdict,
  bySeverity,
  reviewParts,
  findingTags,
  verificationText,
  judgeRisks,
  riskVerdictText,
  riskFailure,
  statusWithRisks,
  trimMarkdown,
  renderMarkdown,
  FLEET_COMMENT_BUDGET,
  FLEET_FULL_REPORT_HINT,
  roundTrip,
  failedReport,
  renderFleetMarkdown,
  readRunContext,
  reportSha,
  fileUrl
};
