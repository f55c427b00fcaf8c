/* sitegen search: the same tokenizer as sitegen/search/tokenize.py, a sharded lunr.js index
 * queried as sitegen/search/query.py does, and the search page.
 *
 * Text is normalised (NFKC, lower case, OpenCC t2s with the archive's table), then each
 * run of Han characters gives its overlapping bigrams (a lone character is a token by
 * itself) and each run of other letters and digits is one word. Queries go through the
 * lunr.Query API, never the query-string parser, so no input can be a syntax error.
 * Nothing is fetched before the first keystroke; then only the files a query needs.
 */
(function (global) {
  "use strict";

  var HAN_CLASS = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2fa1f}\\u{30000}-\\u{323af}";
  var HAN_RUN = new RegExp("[" + HAN_CLASS + "]+", "gu");
  var HAN_CHAR = new RegExp("[" + HAN_CLASS + "]", "gu");
  var TOKEN = new RegExp("([" + HAN_CLASS + "]+)|((?:(?![" + HAN_CLASS + "])[\\p{L}\\p{N}])+)", "gu");
  var PART = new RegExp("(?:[" + HAN_CLASS + "]|[\\p{L}\\p{N}])+", "gu");
  var ONE_HAN = new RegExp("^[" + HAN_CLASS + "]$", "u");
  var MAX_QUERY = 200; // code points of a query that are read, as in query.py
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };

  /* OpenCC's t2s, as sitegen/chinese.py: longest (leftmost) phrase first, recursively,
     then character by character. */
  function convertRun(run, table) {
    var chars = Array.from(run);
    var n = chars.length;
    var phrases = table.phrases || {};
    var maxLen = table.maxPhrase || 0;
    var minLen = table.minPhrase || 2;
    for (var length = Math.min(n, maxLen); length >= minLen; length--) {
      for (var start = 0; start + length <= n; start++) {
        var key = chars.slice(start, start + length).join("");
        if (has(phrases, key)) {
          return convertRun(chars.slice(0, start).join(""), table) + phrases[key] +
            convertRun(chars.slice(start + length).join(""), table);
        }
      }
    }
    var map = table.chars || {};
    var out = "";
    for (var i = 0; i < n; i++) out += has(map, chars[i]) ? map[chars[i]] : chars[i];
    return out;
  }

  function prepareTable(table) {
    var maxLen = 0, minLen = Infinity;
    Object.keys(table.phrases || {}).forEach(function (k) {
      var len = Array.from(k).length;
      if (len > maxLen) maxLen = len;
      if (len < minLen) minLen = len;
    });
    table.chars = table.chars || {};
    table.maxPhrase = maxLen;
    table.minPhrase = minLen === Infinity ? 2 : minLen;
    return table;
  }

  function toSimplified(text, table) {
    return text.replace(HAN_RUN, function (run) { return convertRun(run, table); });
  }

  function normalize(text, table) {
    return toSimplified(String(text).normalize("NFKC").toLowerCase(), table);
  }

  /* Tokens with their offsets in code points, as tokenize_with_offsets. */
  function tokenizeWithOffsets(text) {
    var tokens = [];
    var match;
    var re = new RegExp(TOKEN.source, "gu");
    var units = 0, points = 0;
    while ((match = re.exec(text)) !== null) {
      points += Array.from(text.slice(units, match.index)).length;
      units = match.index;
      if (match[2] !== undefined) {
        tokens.push([match[2], points]);
      } else {
        var chars = Array.from(match[1]);
        if (chars.length === 1) tokens.push([chars[0], points]);
        for (var i = 0; i + 1 < chars.length; i++) tokens.push([chars[i] + chars[i + 1], points + i]);
      }
    }
    return tokens;
  }

  function tokenizeNormalized(text) {
    return tokenizeWithOffsets(text).map(function (t) { return t[0]; });
  }

  function tokenize(text, table) {
    return tokenizeNormalized(normalize(text, table));
  }

  /* Cut a normalised query into parts and the terms to look up, as query.parse. */
  function parse(text) {
    var parts = [], terms = [];
    var re = new RegExp(PART.source, "gu");
    var match;
    while ((match = re.exec(text)) !== null) {
      var kept = [], dropped = [];
      tokenizeWithOffsets(match[0]).forEach(function (t) {
        if (ONE_HAN.test(t[0])) { dropped.push(t[0]); return; }
        kept.push(t);
        if (terms.indexOf(t[0]) < 0) terms.push(t[0]);
      });
      parts.push({ text: match[0], tokens: kept, dropped: dropped });
    }
    var tooShort = !terms.length && parts.some(function (p) { return p.dropped.length; });
    return { parts: parts, terms: terms, tooShort: tooShort };
  }

  function clip(text) {
    return Array.from(String(text)).slice(0, MAX_QUERY).join("");
  }

  function docNumber(ref) { return parseInt(ref, 36); }

  function ranked(scores) {
    return Object.keys(scores).map(function (ref) { return { ref: ref, score: scores[ref] }; })
      .sort(function (a, b) { return b.score - a.score || docNumber(a.ref) - docNumber(b.ref); });
  }

  /* Combine per-shard answers ({ref: score}, terms held) into the unsharded scores. */
  function merge(answers, total) {
    if (!answers.length || !total) return {};
    var out = {};
    Object.keys(answers[0][0]).forEach(function (ref) {
      var sum = 0;
      for (var i = 0; i < answers.length; i++) {
        if (!has(answers[i][0], ref)) return;
        sum += answers[i][0][ref] * Math.sqrt(answers[i][1] / total);
      }
      out[ref] = sum;
    });
    return out;
  }

  function decode(deltas) {
    var out = [], total = 0;
    if (!deltas) return out;
    deltas.split(",").forEach(function (d) { total += Number(d); out.push(total); });
    return out;
  }

  /* One term's positions in one field: 'ref:deltas;ref:deltas' -> {ref: deltas}. */
  function byRef(postings) {
    var out = {};
    postings.split(";").forEach(function (item) {
      var colon = item.indexOf(":");
      if (colon > 0) out[item.slice(0, colon)] = item.slice(colon + 1);
    });
    return out;
  }

  /* Whether a part's tokens stand in the title or the body at their offsets in the part;
     positions[term] is [title, body], each {ref: deltas}. */
  function partMatches(part, positions, ref) {
    for (var field = 0; field < 2; field++) {
      var found = part.tokens.map(function (t) { return decode(positions[t[0]][field][ref]); });
      if (found.some(function (f) { return !f.length; })) continue;
      var first = part.tokens[0][1];
      var others = found.slice(1).map(function (f, i) {
        var set = {};
        f.forEach(function (p) { set[p] = true; });
        return { set: set, shift: part.tokens[i + 1][1] - first };
      });
      for (var s = 0; s < found[0].length; s++) {
        var start = found[0][s];
        if (others.every(function (o) { return o.set[start + o.shift]; })) return true;
      }
    }
    return false;
  }

  /* ---- the engine: loads only what a query needs, each file once ---- */
  function Engine(base) {
    this.base = base; // the URL of the search/ folder, ending in '/'
    this.files = {};
    this.manifest = null;
    this.table = prepareTable({ phrases: {}, chars: {} });
    this.buckets = {};
    this.indexes = {};
    this.parsed = {}; // 'shard/term' -> [title, body] positions by ref
    this.bytes = 0; // characters of JSON received, for the curious
  }

  Engine.prototype.fetchJSON = function (path) {
    var self = this;
    if (!has(this.files, path)) {
      this.files[path] = fetch(this.base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.text();
      }).then(function (text) {
        self.bytes += text.length;
        return JSON.parse(text);
      });
      this.files[path].catch(function () { delete self.files[path]; });
    }
    return this.files[path];
  };

  Engine.prototype.ready = function () {
    var self = this;
    return this.fetchJSON("manifest.json").then(function (manifest) {
      if (!self.manifest) {
        self.manifest = manifest;
        self.table = prepareTable({ phrases: manifest.phrases, chars: self.table.chars });
      }
      return manifest;
    });
  };

  /* Normalise a query, first fetching the t2s entries of its characters. */
  Engine.prototype.normalizeQuery = function (query) {
    var self = this;
    var text = clip(query);
    return this.ready().then(function (manifest) {
      var wanted = {};
      (text.normalize("NFKC").match(HAN_CHAR) || []).forEach(function (ch) {
        var bucket = ch.codePointAt(0) % manifest.t2sBuckets;
        if (!self.buckets[bucket]) wanted[bucket] = true;
      });
      return Promise.all(Object.keys(wanted).map(function (bucket) {
        var name = "t2s/" + pad(bucket, 2) + ".json";
        return self.fetchJSON(name).then(function (chars) {
          Object.keys(chars).forEach(function (k) { self.table.chars[k] = chars[k]; });
          self.buckets[bucket] = true;
        });
      }));
    }).then(function () { return normalize(text, self.table); });
  };

  /* The last of `firsts` that is <= term (JavaScript compares strings as sitegen sorts). */
  function last(firsts, term) {
    var lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /* Resolve to the number of the shard that holds `term` (if any does). */
  Engine.prototype.shardOf = function (term) {
    var size = this.manifest.groupSize;
    var group = last(this.manifest.groups, term);
    return this.fetchJSON("shards/" + pad(group, 3) + ".json").then(function (firsts) {
      return group * size + last(firsts, term);
    });
  };

  function pad(number, width) { return String(number).padStart(width, "0"); } // as Python's {:0Nd}

  function shardName(kind, number) { return kind + "/" + pad(number, 4) + ".json"; }

  Engine.prototype.index = function (number) {
    var self = this;
    if (!has(this.indexes, number)) {
      this.indexes[number] = this.fetchJSON(shardName("idx", number)).then(function (data) {
        return lunr.Index.load(data);
      });
      this.indexes[number].catch(function () { delete self.indexes[number]; });
    }
    return this.indexes[number];
  };

  /* Resolve to {parsed, results: [{ref, score}]}, best first. */
  Engine.prototype.search = function (query) {
    var self = this;
    return this.normalizeQuery(query).then(function (text) {
      var parsed = parse(text);
      if (!parsed.terms.length) return { parsed: parsed, results: [] };
      var byShard = {};
      return Promise.all(parsed.terms.map(function (term) { return self.shardOf(term); }))
        .then(function (numbers) {
          parsed.terms.forEach(function (term, i) {
            (byShard[numbers[i]] = byShard[numbers[i]] || []).push(term);
          });
          self.shardOfTerm = self.shardOfTerm || {};
          parsed.terms.forEach(function (term, i) { self.shardOfTerm[term] = numbers[i]; });
          var shards = Object.keys(byShard).map(Number).sort(function (a, b) { return a - b; });
          return Promise.all(shards.map(function (n) { return self.index(n); }))
            .then(function (indexes) { return [shards, indexes]; });
        }).then(function (loaded) {
          var numbers = loaded[0], indexes = loaded[1];
          var answers = [];
          for (var i = 0; i < indexes.length; i++) {
            var terms = byShard[numbers[i]];
            var index = indexes[i];
            if (terms.some(function (t) { return !has(index.invertedIndex, t); })) {
              return { parsed: parsed, results: [] };
            }
            var scores = {};
            index.query(function (q) {
              terms.forEach(function (term) {
                q.term(term, { presence: lunr.Query.presence.REQUIRED, usePipeline: false });
              });
            }).forEach(function (r) { scores[r.ref] = r.score; });
            answers.push([scores, terms.length]);
          }
          return self.verify(parsed, merge(answers, parsed.terms.length)).then(function (scores) {
            return { parsed: parsed, results: ranked(scores) };
          });
        });
    });
  };

  Engine.prototype.verify = function (parsed, scores) {
    var self = this;
    var checked = parsed.parts.filter(function (p) { return p.tokens.length > 1; });
    if (!checked.length || !Object.keys(scores).length) return Promise.resolve(scores);
    var terms = {};
    checked.forEach(function (p) { p.tokens.forEach(function (t) { terms[t[0]] = true; }); });
    var list = Object.keys(terms);
    return Promise.all(list.map(function (t) { return self.fetchJSON(shardName("pos", self.shardOfTerm[t])); }))
      .then(function (files) {
        var positions = {};
        list.forEach(function (t, i) {
          var key = self.shardOfTerm[t] + "/" + t;
          if (!has(self.parsed, key)) self.parsed[key] = files[i][t].map(byRef);
          positions[t] = self.parsed[key];
        });
        var out = {};
        Object.keys(scores).forEach(function (ref) {
          if (checked.every(function (p) { return partMatches(p, positions, ref); })) out[ref] = scores[ref];
        });
        return out;
      });
  };

  Engine.prototype.meta = function (ref) {
    var chunk = this.manifest.metaChunk;
    var n = docNumber(ref);
    return this.fetchJSON("meta/" + pad(Math.floor(n / chunk), 3) + ".json")
      .then(function (docs) { return docs[n % chunk]; });
  };

  Engine.prototype.facets = function () { return this.fetchJSON("facets.json"); };

  Engine.prototype.text = function (ref) { return this.fetchJSON("text/" + ref + ".json"); };

  /* ---- snippets: find the first hit in a document's own script ---- */

  /* Lines given as 'text' or ['text', 'normalised'] -> one string and a map from each
     UTF-16 unit of its normalised form to a unit of the original. */
  function aligned(lines) {
    var original = "", normal = "", map = [];
    lines.forEach(function (line, i) {
      var o = typeof line === "string" ? line : line[0];
      var n = typeof line === "string" ? line : line[1];
      if (i) { original += " "; normal += " "; map.push(original.length - 1); }
      for (var k = 0; k < n.length; k++) {
        var at = n.length === o.length ? k : Math.floor(k * o.length / n.length);
        map.push(original.length + at);
      }
      original += o;
      normal += n;
    });
    map.push(original.length);
    return { original: original, normal: normal, map: map };
  }

  function needles(parsed) {
    var out = [];
    parsed.parts.forEach(function (p) {
      if (p.tokens.length || p.dropped.length) out.push(p.text);
    });
    return out.filter(Boolean);
  }

  /* Return [[start, end], ...] in the original for every hit of any needle in [from, to). */
  function hits(text, words, from, to) {
    var spans = [];
    words.forEach(function (w) {
      var at = text.normal.indexOf(w, from);
      while (at >= 0 && at < to) {
        spans.push([text.map[at], text.map[at + w.length]]);
        at = text.normal.indexOf(w, at + w.length);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push(s.slice());
    });
    return merged;
  }

  var BEFORE = 30, AFTER = 90;

  /* Return {text, marks: [[start, end]...]} around the first hit (relative to text). */
  function snippet(lines, words) {
    var text = aligned(lines);
    var first = -1;
    words.forEach(function (w) {
      var at = text.normal.indexOf(w);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    });
    var startNorm = first < 0 ? 0 : Math.max(0, first - BEFORE);
    var endNorm = Math.min(text.normal.length, (first < 0 ? 0 : first) + AFTER);
    var start = text.map[startNorm], end = text.map[endNorm];
    var marks = first < 0 ? [] : hits(text, words, startNorm, endNorm).map(function (s) {
      return [Math.max(s[0], start) - start, Math.min(s[1], end) - start];
    });
    return {
      text: text.original.slice(start, end),
      marks: marks,
      before: start > 0,
      after: end < text.original.length
    };
  }

  function marked(node, text, marks) {
    var at = 0;
    marks.forEach(function (m) {
      if (m[0] > at) node.appendChild(document.createTextNode(text.slice(at, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      node.appendChild(mark);
      at = m[1];
    });
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  }

  var api = {
    tokenize: tokenize, normalize: normalize, tokenizeNormalized: tokenizeNormalized,
    tokenizeWithOffsets: tokenizeWithOffsets, parse: parse, merge: merge,
    prepareTable: prepareTable, convertRun: convertRun, Engine: Engine, snippet: snippet,
    pad: pad
  };
  global.sitegenSearch = api;

  /* ---- the search page ---- */
  var PAGE = 10;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function startPage() {
    var input = document.getElementById("q");
    var list = document.getElementById("results");
    var status = document.getElementById("search-status");
    var form = document.getElementById("search-form");
    var filters = document.getElementById("search-filters");
    var citySelect = document.getElementById("filter-city");
    var yearSelect = document.getElementById("filter-year");
    var more = document.getElementById("search-more");
    if (!input || !list || !status) return;
    var root = form.getAttribute("data-root") || "../";
    var engine = new Engine(root + "search/");
    api.page = { engine: engine };
    var state = { query: "", city: "", year: "", out: null, facets: null, shown: 0, seq: 0 };
    var pushNext = false, idle = null;

    function readURL() {
      var params = new URL(global.location.href).searchParams;
      return { q: params.get("q") || "", city: params.get("city") || "", year: params.get("year") || "" };
    }

    function writeURL(push) {
      var url = new URL(global.location.href);
      [["q", state.query], ["city", state.city], ["year", state.year]].forEach(function (kv) {
        if (kv[1]) url.searchParams.set(kv[0], kv[1]); else url.searchParams.delete(kv[0]);
      });
      if (url.toString() === global.location.href) return;
      if (push) global.history.pushState(null, "", url.toString());
      else global.history.replaceState(null, "", url.toString());
    }

    function setStatus(text) { status.textContent = text; }

    /* Say which query the page now shows (tests and benchmarks wait for it). */
    function done() {
      list.setAttribute("data-for", state.query);
      list.setAttribute("aria-busy", "false");
    }

    function run() {
      var seq = ++state.seq;
      var query = state.query;
      list.setAttribute("aria-busy", "true");
      if (!query.trim()) {
        state.out = null;
        list.textContent = "";
        filters.hidden = true;
        more.hidden = true;
        setStatus("");
        done();
        return Promise.resolve();
      }
      return engine.search(query).then(function (out) {
        if (seq !== state.seq) return;
        state.out = out;
        var wantFacets = state.city || state.year;
        return (wantFacets ? loadFacets() : Promise.resolve()).then(function () {
          if (seq !== state.seq) return;
          return show(seq).then(function () {
            if (seq === state.seq && out.results.length && !state.facets) {
              loadFacets().then(function () { if (seq === state.seq) showFilters(); });
            }
          });
        });
      }).catch(function (error) {
        if (seq !== state.seq) return;
        list.textContent = "";
        setStatus("搜索索引无法载入：" + error.message);
        done();
        if (global.console) console.warn("sitegen search:", error);
      });
    }

    function loadFacets() {
      return engine.facets().then(function (facets) { state.facets = facets; });
    }

    function filtered() {
      var results = state.out ? state.out.results : [];
      if (!state.facets || (!state.city && !state.year)) return results;
      var f = state.facets;
      return results.filter(function (r) {
        var n = docNumber(r.ref);
        if (state.city && f.cities[f.city[n]] !== state.city) return false;
        if (state.year && String(f.years[f.year[n]]) !== state.year) return false;
        return true;
      });
    }

    function show(seq) {
      var out = state.out;
      var results = filtered();
      list.textContent = "";
      state.shown = 0;
      var note = "";
      var dropped = [];
      out.parsed.parts.forEach(function (p) { dropped = dropped.concat(p.dropped); });
      if (out.parsed.tooShort) {
        setStatus("请至少输入两个汉字：单个汉字不单独搜索。");
        filters.hidden = true;
        more.hidden = true;
        done();
        return Promise.resolve();
      }
      if (dropped.length) note = "（单字“" + dropped.join("”“") + "”未参与搜索）";
      var total = out.results.length;
      if (!total) setStatus("没有找到匹配的文档" + note);
      else if (results.length === total) setStatus("找到 " + total + " 篇文档" + note);
      else setStatus("找到 " + total + " 篇文档，筛选后 " + results.length + " 篇" + note);
      if (state.facets) showFilters(); else filters.hidden = true;
      return showMore(seq, results);
    }

    function showMore(seq, results) {
      results = results || filtered();
      var page = results.slice(state.shown, state.shown + PAGE);
      state.shown += page.length;
      if (!page.length) { done(); return Promise.resolve(); }
      more.hidden = state.shown >= results.length;
      var words = needles(state.out.parsed);
      var items = page.map(function (r) {
        var item = el("li", { "class": "result", "data-ref": r.ref });
        list.appendChild(item);
        return item;
      });
      return Promise.all(page.map(function (r) { return engine.meta(r.ref); })).then(function (docs) {
        if (seq !== state.seq) return;
        done();
        docs.forEach(function (doc, i) {
          fill(items[i], doc, words);
          engine.text(page[i].ref).then(function (lines) {
            if (seq !== state.seq) return;
            var s = snippet(lines, words);
            var p = items[i].querySelector(".snippet");
            p.textContent = "";
            if (s.before) p.appendChild(document.createTextNode("…"));
            marked(p, s.text, s.marks);
            if (s.after) p.appendChild(document.createTextNode("…"));
          }).catch(function () { /* the result stands without its snippet */ });
        });
      });
    }

    function fill(item, doc, words) {
      item.setAttribute("lang", doc.lang);
      var title = aligned([doc.title]);
      var link = el("a", { href: root + doc.url, "class": "result-title" });
      marked(link, title.original, hits(title, words, 0, title.normal.length));
      item.appendChild(link);
      var meta = [doc.date, doc.city, doc.source].filter(Boolean).join(" · ");
      item.appendChild(el("p", { "class": "meta" }, meta));
      item.appendChild(el("p", { "class": "snippet" }));
    }

    function option(value, label) {
      var node = el("option", { value: value }, label);
      return node;
    }

    function showFilters() {
      var f = state.facets;
      var results = state.out ? state.out.results : [];
      if (!f || !results.length) { filters.hidden = true; return; }
      var cities = {}, years = {};
      results.forEach(function (r) {
        var n = docNumber(r.ref);
        if (f.city[n] >= 0) cities[f.cities[f.city[n]]] = (cities[f.cities[f.city[n]]] || 0) + 1;
        if (f.year[n] >= 0) years[f.years[f.year[n]]] = (years[f.years[f.year[n]]] || 0) + 1;
      });
      citySelect.textContent = "";
      citySelect.appendChild(option("", "全部城市"));
      f.cities.forEach(function (c) {
        if (cities[c] || c === state.city) citySelect.appendChild(option(c, c + "（" + (cities[c] || 0) + "）"));
      });
      citySelect.value = state.city;
      yearSelect.textContent = "";
      yearSelect.appendChild(option("", "全部年份"));
      f.years.forEach(function (y) {
        var key = String(y);
        if (years[y] || key === state.year) yearSelect.appendChild(option(key, key + "年（" + (years[y] || 0) + "）"));
      });
      yearSelect.value = state.year;
      filters.hidden = false;
    }

    function fromInput() {
      if (input.value === state.query) return;
      state.query = input.value;
      writeURL(pushNext);
      pushNext = false;
      clearTimeout(idle);
      idle = setTimeout(function () { pushNext = true; }, 1000);
      run();
    }

    var composing = false;
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; fromInput(); });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) return;
      fromInput();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      composing = false;
      state.query = input.value;
      writeURL(true);
      pushNext = true;
      run();
    });
    function onFilter() {
      state.city = citySelect.value;
      state.year = yearSelect.value;
      writeURL(true);
      pushNext = true;
      if (state.out) show(++state.seq);
    }
    citySelect.addEventListener("change", onFilter);
    yearSelect.addEventListener("change", onFilter);
    more.addEventListener("click", function () { showMore(state.seq); });

    /* Keyboard: '/' focuses the box; arrows move through results; Enter opens one. */
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a.result-title")); }
    document.addEventListener("keydown", function (e) {
      var target = e.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
        target.tagName === "SELECT" || target.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.focus();
        input.select();
        return;
      }
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      if (e.isComposing || composing) return;
      var all = links();
      var at = all.indexOf(target);
      if (target === input && e.key === "ArrowDown" && all.length) {
        e.preventDefault();
        all[0].focus();
      } else if (at >= 0) {
        e.preventDefault();
        if (e.key === "ArrowDown" && at + 1 < all.length) all[at + 1].focus();
        else if (e.key === "ArrowUp" && at > 0) all[at - 1].focus();
        else if (e.key === "ArrowUp") input.focus();
      }
    });

    function fromURL() {
      var wanted = readURL();
      input.value = wanted.q;
      state.query = wanted.q;
      state.city = wanted.city;
      state.year = wanted.year;
      return run();
    }
    global.addEventListener("popstate", function () { pushNext = true; fromURL(); });
    var initial = readURL();
    if (initial.q || initial.city || initial.year) { pushNext = true; fromURL(); }
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startPage);
    else startPage();
  }
})(typeof window !== "undefined" ? window : this);
