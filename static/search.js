/* sitegen search: the same tokenizer as sitegen/search/tokenize.py, then lunr.js.
 *
 * Text is normalised (NFKC, lower case, OpenCC t2s with the archive's table), then each
 * run of Han characters gives its overlapping bigrams (a lone character is a token by
 * itself) and each run of other letters and digits is one word. Queries go through the
 * lunr.Query API, never the query-string parser, so no input can be a syntax error.
 */
(function (global) {
  "use strict";

  var HAN_CLASS = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2fa1f}\\u{30000}-\\u{323af}";
  var HAN_RUN = new RegExp("[" + HAN_CLASS + "]+", "gu");
  var TOKEN = new RegExp("([" + HAN_CLASS + "]+)|((?:(?![" + HAN_CLASS + "])[\\p{L}\\p{N}])+)", "gu");
  var ONE_HAN = new RegExp("^[" + HAN_CLASS + "]$", "u");

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
        if (Object.prototype.hasOwnProperty.call(phrases, key)) {
          return convertRun(chars.slice(0, start).join(""), table) + phrases[key] +
            convertRun(chars.slice(start + length).join(""), table);
        }
      }
    }
    var map = table.chars || {};
    var out = "";
    for (var i = 0; i < n; i++) {
      out += Object.prototype.hasOwnProperty.call(map, chars[i]) ? map[chars[i]] : chars[i];
    }
    return out;
  }

  function prepareTable(table) {
    var maxLen = 0, minLen = Infinity;
    Object.keys(table.phrases || {}).forEach(function (k) {
      var len = Array.from(k).length;
      if (len > maxLen) maxLen = len;
      if (len < minLen) minLen = len;
    });
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

  function tokenizeNormalized(text) {
    var tokens = [];
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[2] !== undefined) {
        tokens.push(match[2]);
      } else {
        var chars = Array.from(match[1]);
        if (chars.length === 1) {
          tokens.push(chars[0]);
        } else {
          for (var i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
        }
      }
    }
    return tokens;
  }

  function tokenize(text, table) {
    return tokenizeNormalized(normalize(text, table));
  }

  var api = { tokenize: tokenize, normalize: normalize, tokenizeNormalized: tokenizeNormalized,
              prepareTable: prepareTable, convertRun: convertRun };
  global.sitegenSearch = api;

  /* ---- the search page ---- */
  var MAX_QUERY = 200;
  var MAX_RESULTS = 100;

  function search(index, query, table) {
    var tokens = tokenize(String(query).slice(0, MAX_QUERY), table);
    var unique = tokens.filter(function (t, i) { return tokens.indexOf(t) === i; });
    if (!unique.length) return [];
    return index.query(function (q) {
      unique.forEach(function (token) {
        var clause = { presence: lunr.Query.presence.REQUIRED, usePipeline: false };
        if (ONE_HAN.test(token)) {
          // A lone character: any bigram that holds it, or the character alone.
          clause.wildcard = lunr.Query.wildcard.LEADING | lunr.Query.wildcard.TRAILING;
        }
        q.term(token, clause);
      });
    });
  }

  function fetchJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

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
    if (!input || !list) return;
    var root = "../";
    var state = { index: null, docs: null, table: null, error: null };
    var loading = null;

    function load() {
      if (!loading) {
        loading = Promise.all([
          fetchJSON(root + "search/index.json"),
          fetchJSON(root + "search/docs.json"),
          fetchJSON(root + "search/t2s.json")
        ]).then(function (parts) {
          state.index = lunr.Index.load(parts[0]);
          state.docs = parts[1];
          state.table = prepareTable(parts[2]);
        }).catch(function (error) {
          state.error = error;
        });
      }
      return loading;
    }

    function render(query) {
      list.textContent = "";
      if (state.error) {
        status.textContent = "搜索索引无法载入：" + state.error.message;
        return;
      }
      if (!query.trim()) { status.textContent = ""; return; }
      var results;
      try {
        results = search(state.index, query, state.table);
      } catch (error) {
        status.textContent = "无法搜索这个查询。";
        if (global.console) console.warn("sitegen search:", error);
        return;
      }
      status.textContent = results.length ? "找到 " + results.length + " 篇文档" : "没有找到匹配的文档";
      results.slice(0, MAX_RESULTS).forEach(function (result) {
        var doc = state.docs[result.ref];
        if (!doc) return;
        var item = el("li", { "class": "result", lang: doc.lang });
        var link = el("a", { href: root + doc.url }, doc.title);
        item.appendChild(link);
        var meta = [doc.date, doc.city].filter(Boolean).join(" · ");
        item.appendChild(el("span", { "class": "meta" }, meta));
        list.appendChild(item);
      });
    }

    function update(push) {
      var query = input.value;
      var url = new URL(global.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      if (push) global.history.replaceState(null, "", url.toString());
      load().then(function () { if (input.value === query) render(query); });
    }

    var composing = false;
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; update(true); });
    input.addEventListener("input", function () { if (!composing) update(true); });
    document.getElementById("search-form").addEventListener("submit", function (e) {
      e.preventDefault();
      update(true);
    });

    var initial = new URL(global.location.href).searchParams.get("q") || "";
    if (initial) { input.value = initial; update(false); }
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startPage);
    else startPage();
  }
})(typeof window !== "undefined" ? window : this);
