/* sitegen: the 简/繁 switch and the "/" shortcut to the header's search box.
 *
 * The switch converts every piece of Chinese on the page (text, the page title, the
 * title/placeholder/aria-label attributes) from its original wording, which it keeps, so
 * "原文" always gives back exactly what the page said. Conversion is OpenCC's algorithm,
 * the same as sitegen/chinese.py: in each run of Han characters, the longest phrase of the
 * phrase table (leftmost among the longest) is converted, then the pieces left and right of
 * it the same way; characters no phrase covers go through the character table one by one.
 * convertRun gets the same result without recursion.
 * The tables (static/zh-tables.js) are made at build time from OpenCC's dictionaries,
 * limited to the text of this site, and loaded only when a conversion is asked for.
 */
(function () {
  "use strict";

  var KEY = "sitegen-script"; // "", "Hans" or "Hant", kept across pages
  var ATTRIBUTES = ["title", "placeholder", "aria-label"];
  var SKIP = { SCRIPT: 1, STYLE: 1, TEXTAREA: 1, NOSCRIPT: 1 };
  // Han characters (as sitegen/chinese.py's HAN_CLASS) and 〇, which OpenCC's phrases use.
  var RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\u{20000}-\u{2fa1f}\u{30000}-\u{323af}]+/gu;
  var script = document.currentScript;
  var tablesUrl = script ? script.src.replace(/site\.js(\?.*)?$/, "zh-tables.js") : null;
  var tables = null;
  var current = "";
  var originalLang = document.documentElement.getAttribute("lang") || "";
  var originalTitle = document.title;
  var texts = new WeakMap(); // text node -> [original, converted]
  var observer = null;

  function prepare(table) {
    var firsts = {};
    Object.keys(table.phrases).forEach(function (key) {
      var points = Array.from(key);
      var lengths = firsts[points[0]] || (firsts[points[0]] = []);
      if (lengths.indexOf(points.length) < 0) lengths.push(points.length);
    });
    return { phrases: table.phrases, chars: table.chars, firsts: firsts };
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function convertChars(run, start, end, t) {
    var out = "";
    for (var i = start; i < end; i++) out += has(t.chars, run[i]) ? t.chars[run[i]] : run[i];
    return out;
  }

  // OpenCC's recursive longest-leftmost matching without recursion, as sitegen/chinese.py
  // does it: every phrase occurrence, longest first and leftmost first among equals, is
  // kept unless it overlaps one already kept. Linear in the run.
  function convertRun(run, t) {
    var found = [];
    for (var start = 0; start < run.length; start++) {
      var lengths = has(t.firsts, run[start]) ? t.firsts[run[start]] : null;
      if (!lengths) continue;
      for (var k = 0; k < lengths.length; k++) {
        var size = lengths[k];
        if (start + size <= run.length && has(t.phrases, run.slice(start, start + size).join(""))) {
          found.push([size, start]);
        }
      }
    }
    found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var taken = new Uint8Array(run.length), kept = [];
    found.forEach(function (hit) {
      var end = hit[1] + hit[0];
      for (var i = hit[1]; i < end; i++) if (taken[i]) return;
      taken.fill(1, hit[1], end);
      kept.push(hit);
    });
    kept.sort(function (a, b) { return a[1] - b[1]; });
    var out = "", position = 0;
    kept.forEach(function (hit) {
      out += convertChars(run, position, hit[1], t);
      out += t.phrases[run.slice(hit[1], hit[1] + hit[0]).join("")];
      position = hit[1] + hit[0];
    });
    return out + convertChars(run, position, run.length, t);
  }

  function convert(text, target) {
    if (!target || !tables) return text;
    var t = target === "Hans" ? tables.t2s : tables.s2t;
    return text.replace(RUN, function (run) { return convertRun(Array.from(run), t); });
  }

  function kept(element) {
    return element.closest && element.closest("[data-zh-keep]");
  }

  function convertTextNode(node, target) {
    var saved = texts.get(node);
    var original = saved && node.data === saved[1] ? saved[0] : node.data;
    var converted = convert(original, target);
    texts.set(node, [original, converted]);
    if (node.data !== converted) node.data = converted;
  }

  function convertElement(element, target) {
    ATTRIBUTES.forEach(function (name) {
      if (!element.hasAttribute(name)) return;
      var store = "data-zh-" + name;
      if (!element.hasAttribute(store)) element.setAttribute(store, element.getAttribute(name));
      element.setAttribute(name, convert(element.getAttribute(store), target));
    });
    var lang = element.getAttribute("lang");
    if (lang && /^zh/.test(lang) || element.hasAttribute("data-zh-lang")) {
      if (!element.hasAttribute("data-zh-lang")) element.setAttribute("data-zh-lang", lang);
      element.setAttribute("lang", target ? "zh-" + target : element.getAttribute("data-zh-lang"));
    }
  }

  function convertTree(root, target) {
    if (root.nodeType === 3) {
      if (!kept(root.parentElement)) convertTextNode(root, target);
      return;
    }
    if (root.nodeType !== 1 || SKIP[root.tagName] || kept(root)) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        if (node.nodeType === 1) {
          return SKIP[node.tagName] || node.hasAttribute("data-zh-keep")
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    convertElement(root, target);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 3) convertTextNode(node, target);
      else convertElement(node, target);
    }
  }

  function watch(on) {
    if (!observer) {
      observer = new MutationObserver(function (records) {
        watch(false);
        records.forEach(function (record) {
          if (record.type === "characterData") convertTree(record.target, current);
          else record.addedNodes.forEach(function (node) { convertTree(node, current); });
        });
        watch(true);
      });
    }
    if (on && current) {
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    } else {
      observer.disconnect();
    }
  }

  function apply(target) {
    watch(false);
    current = target;
    convertTree(document.body, target);
    document.title = convert(originalTitle, target);
    document.documentElement.setAttribute("lang", target ? "zh-" + target : originalLang);
    document.querySelectorAll(".script-switch button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-script") === target));
    });
    watch(true);
  }

  function loadTables(then) {
    if (tables || !tablesUrl) { then(); return; }
    if (window.sitegenZhTables) {
      tables = { t2s: prepare(window.sitegenZhTables.t2s), s2t: prepare(window.sitegenZhTables.s2t) };
      then();
      return;
    }
    var tag = document.createElement("script");
    tag.src = tablesUrl;
    tag.onload = function () { loadTables(then); };
    document.head.appendChild(tag);
  }

  function choose(target) {
    try {
      if (target) localStorage.setItem(KEY, target); else localStorage.removeItem(KEY);
    } catch (e) { /* storage refused (private mode): the choice lasts for this page only */ }
    if (target) loadTables(function () { apply(target); }); else apply("");
  }

  function stored() {
    try {
      var value = localStorage.getItem(KEY);
      return value === "Hans" || value === "Hant" ? value : "";
    } catch (e) {
      return "";
    }
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function start() {
    document.querySelectorAll(".script-switch").forEach(function (group) {
      group.hidden = false;
      group.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-script]");
        if (button) choose(button.getAttribute("data-script"));
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(document.activeElement)) return;
      var box = document.getElementById("header-q");
      if (!box) return;
      event.preventDefault();
      box.focus();
      box.select();
    });
    var choice = stored();
    if (choice) loadTables(function () { apply(choice); });
  }

  window.sitegenZh = { convert: convert, choose: choose, load: loadTables };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
