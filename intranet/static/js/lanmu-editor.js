/* The rich text editor of the item page (items/edit.html): wangEditor
   (static/vendor/wangeditor) in place of the body's textarea, which stays in
   the form and receives the HTML (without scripts the textarea is the editor).
   - images: uploaded into the item's attachments with their caption, asked in
     a dialog before the upload (POST items/<id>/attachments/image, JSON);
   - paste from Word: Word's markup (mso- styles, classes, o:p, comments,
     conditional comments) is cleaned before the editor takes it; the server
     sanitises again on save;
   - content-check findings (checks/_panel.html) are highlighted in the
     editor's text and listed right under it; edits are re-checked after a
     pause (nothing is saved by that).
   No inline scripts: the CSP allows scripts from our own files only. */
(function () {
  "use strict";

  var STRIP_ELEMENTS = "script,style,meta,link,title,xml,head,object,embed,iframe,form,input,button,select,textarea";
  var DROP_ATTRIBUTES = ["class", "id", "lang", "xml:lang", "dir", "name", "onclick", "onload", "onerror"];

  /* Clean HTML pasted from Word, WPS or a web page: returns HTML the editor can take. */
  function cleanPastedHtml(html) {
    // Word's conditional comments and fragments markers hold XML and VML
    html = String(html || "")
      .replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, "")
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<\/?o:p[^>]*>/gi, "");
    var doc = new DOMParser().parseFromString(html, "text/html");  // inert: nothing runs or loads
    var body = doc.body;
    Array.prototype.forEach.call(body.querySelectorAll(STRIP_ELEMENTS), function (el) { el.remove(); });
    var all = Array.prototype.slice.call(body.querySelectorAll("*"));
    all.forEach(function (el) {
      if (el.tagName.indexOf(":") !== -1) {  // o:p, v:shape, w:sdt ... : keep the text only
        el.replaceWith.apply(el, Array.prototype.slice.call(el.childNodes));
        return;
      }
      DROP_ATTRIBUTES.forEach(function (name) { el.removeAttribute(name); });
      Array.prototype.slice.call(el.attributes).forEach(function (attr) {
        if (/^on/i.test(attr.name) || /^(v|o|w|x):/i.test(attr.name)) { el.removeAttribute(attr.name); }
      });
      var style = el.getAttribute("style");
      if (style !== null) {
        var kept = style.split(";").map(function (s) { return s.trim(); }).filter(function (s) {
          var prop = s.split(":")[0].trim().toLowerCase();
          return s && prop.indexOf("mso-") !== 0 && prop.indexOf("tab-") !== 0 &&
            ["font-family", "layout-grid-mode", "page-break-before", "page-break-after"].indexOf(prop) === -1;
        });
        if (kept.length) { el.setAttribute("style", kept.join("; ")); } else { el.removeAttribute("style"); }
      }
      if (el.tagName === "SPAN" && !el.attributes.length) {  // a span with nothing left says nothing
        el.replaceWith.apply(el, Array.prototype.slice.call(el.childNodes));
      } else if (el.tagName === "FONT") {
        el.replaceWith.apply(el, Array.prototype.slice.call(el.childNodes));
      } else if (el.tagName === "IMG" && !/^data:|^https?:|^\//.test(el.getAttribute("src") || "")) {
        el.remove();  // file:///C:/Users/... images of a Word document cannot be uploaded by pasting
      }
    });
    Array.prototype.forEach.call(body.querySelectorAll("p"), function (p) {  // Word's blank lines
      if (!p.textContent.replace(/[\s\u00a0]/g, "") && !p.querySelector("img")) { p.remove(); }
    });
    return body.innerHTML.trim();
  }

  window.LanmuEditor = { cleanPastedHtml: cleanPastedHtml };

  /* --- findings in place ---------------------------------------------------------------- */

  function textNodes(root) {
    var out = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var node;
    while ((node = walker.nextNode())) {
      if (node.parentElement && node.parentElement.closest("[data-slate-zero-width]")) { continue; }
      out.push(node);
    }
    return out;
  }

  /* A Range over the n-th occurrence of needle in the text of root, or null. */
  function findRange(root, needle, occurrence) {
    if (!needle) { return null; }
    var nodes = textNodes(root);
    var full = "";
    var starts = [];
    nodes.forEach(function (n) { starts.push(full.length); full += n.nodeValue; });
    var at = -1;
    for (var i = 0; i <= occurrence; i++) {
      at = full.indexOf(needle, at < 0 ? 0 : at + needle.length);
      if (at < 0) { break; }
    }
    if (at < 0) { at = full.indexOf(needle); }  // the text moved: the first one is better than none
    if (at < 0) { return null; }
    function locate(offset, isEnd) {
      for (var k = nodes.length - 1; k >= 0; k--) {
        if (starts[k] < offset || (!isEnd && starts[k] === offset)) { return [nodes[k], offset - starts[k]]; }
      }
      return [nodes[0], 0];
    }
    var s = locate(at, false);
    var e = locate(at + needle.length, true);
    var range = document.createRange();
    range.setStart(s[0], s[1]);
    range.setEnd(e[0], e[1]);
    return range;
  }

  function readFindings() {
    var rows = document.querySelectorAll("#check-findings tbody tr[data-where]");
    return Array.prototype.map.call(rows, function (tr) {
      return {
        where: tr.getAttribute("data-where"), text: tr.getAttribute("data-text") || "",
        occurrence: parseInt(tr.getAttribute("data-occurrence") || "0", 10) || 0,
        severity: tr.getAttribute("data-severity"), category: tr.getAttribute("data-category") || "",
        suggestion: tr.getAttribute("data-suggestion") || "", message: tr.getAttribute("data-message") || ""
      };
    });
  }

  var editorRef = { editor: null };

  var PLACES = { title: "标题", body: "正文", caption: "图片说明", attachment: "附件名称",
                 classification: "密级", red_header_title: "红头标题" };

  function showFindings(editable, strip) {
    var findings = readFindings();
    var canHighlight = window.CSS && CSS.highlights && window.Highlight;
    var block = [], warn = [];
    strip.textContent = "";
    if (!findings.length) {
      strip.hidden = true;
      if (canHighlight) { CSS.highlights.delete("lanmu-check-block"); CSS.highlights.delete("lanmu-check-warn"); }
      return;
    }
    var head = document.createElement("div");
    head.className = "editor-findings-head";
    head.textContent = "内容检查发现" + findings.length + "处问题（正文中已标出，点击可定位）：";
    strip.appendChild(head);
    var list = document.createElement("ul");
    list.className = "list-unstyled mb-0";
    findings.forEach(function (f) {
      var range = f.where === "body" ? findRange(editable, f.text, f.occurrence) : null;
      if (range) { (f.severity === "block" ? block : warn).push(range); }
      var li = document.createElement("li");
      li.className = "editor-finding editor-finding-" + f.severity;
      var badge = document.createElement("span");
      badge.className = "badge me-1 " + (f.severity === "block" ? "bg-danger" : "bg-warning text-dark");
      badge.textContent = f.category;
      li.appendChild(badge);
      var label = document.createElement(range ? "a" : "span");
      label.textContent = (PLACES[f.where] || f.where) + "：" + f.message;
      if (range) {
        label.href = "#lanmu-editor";
        label.className = "editor-finding-jump";
        label.addEventListener("click", function (ev) {
          ev.preventDefault();
          var r = findRange(editable, f.text, f.occurrence);  // the text may have been re-rendered
          if (!r) { return; }
          var el = r.startContainer.parentElement;
          if (el) { el.scrollIntoView({ block: "center" }); }
          if (canHighlight) {
            CSS.highlights.set("lanmu-check-focus", new Highlight(r));
            window.setTimeout(function () { CSS.highlights.delete("lanmu-check-focus"); }, 1600);
          }
        });
      }
      li.appendChild(label);
      if (range && f.suggestion && editorRef.editor && window.wangEditor.DomEditor) {
        var fix = document.createElement("button");
        fix.type = "button";
        fix.className = "btn btn-sm btn-outline-primary py-0 ms-2 editor-finding-fix";
        fix.textContent = "改为“" + f.suggestion + "”";
        fix.addEventListener("click", function () {
          var r = findRange(editable, f.text, f.occurrence);
          if (!r) { return; }
          var ed = editorRef.editor;
          var sr = window.wangEditor.DomEditor.toSlateRange(ed, r, { exactMatch: false, suppressThrow: true });
          if (!sr) { return; }
          ed.focus();
          ed.select(sr);
          ed.insertText(f.suggestion);
        });
        li.appendChild(fix);
      }
      list.appendChild(li);
    });
    strip.appendChild(list);
    strip.hidden = false;
    if (canHighlight) {
      var hb = new Highlight(), hw = new Highlight();
      block.forEach(function (r) { hb.add(r); });
      warn.forEach(function (r) { hw.add(r); });
      CSS.highlights.set("lanmu-check-block", hb);
      CSS.highlights.set("lanmu-check-warn", hw);
    }
  }

  /* --- the image dialog --------------------------------------------------------------------- */

  function imageDialog(uploadUrl, csrfToken, insert) {
    var modalEl = document.getElementById("image-modal");
    var fileInput = document.getElementById("image-file");
    var captionInput = document.getElementById("image-caption");
    var error = document.getElementById("image-error");
    var button = document.getElementById("image-insert");
    if (!modalEl || !window.bootstrap) { return; }
    var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
    fileInput.value = "";
    captionInput.value = "";
    error.hidden = true;
    captionInput.oninput = fileInput.onchange = function () { error.hidden = true; };
    function fail(text) { error.textContent = text; error.hidden = false; button.disabled = false; }
    button.onclick = function () {
      var file = fileInput.files && fileInput.files[0];
      var caption = captionInput.value.trim();
      if (!file) { fail("请选择要插入的图片。"); return; }
      if (!caption) { fail("请填写图片说明：每张图片都须附文字说明。"); captionInput.focus(); return; }
      var data = new FormData();
      data.append("file", file);
      data.append("caption", caption);
      data.append("csrf_token", csrfToken);
      button.disabled = true;
      fetch(uploadUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken } })
        .then(function (resp) {
          return resp.json().catch(function () { return { ok: false, error: "上传失败（" + resp.status + "），请稍后重试。" }; });
        })
        .then(function (res) {
          if (!res.ok) { fail(res.error || "上传失败，请稍后重试。"); return; }
          button.disabled = false;
          modal.hide();
          insert(res.url, res.caption, "");
          document.dispatchEvent(new CustomEvent("lanmu:image-uploaded", { detail: res }));
        })
        .catch(function () { fail("上传失败：无法连接服务器，请稍后重试。"); });
    };
    modal.show();
    modalEl.addEventListener("shown.bs.modal", function () { fileInput.focus(); }, { once: true });
  }

  /* --- the editor --------------------------------------------------------------------------- */

  function init() {
    var E = window.wangEditor;
    var box = document.getElementById("lanmu-editor");
    var form = document.getElementById("item-form");
    var textarea = form && form.elements.namedItem("body");
    if (!E || !box || !textarea) { return; }  // no editor: the textarea stays
    var uploadUrl = box.getAttribute("data-upload-url");
    var csrfField = form.elements.namedItem("csrf_token");
    var csrfToken = csrfField ? csrfField.value : "";
    var strip = document.getElementById("editor-findings");
    var original = textarea.value;
    var initialHtml = null;
    var recheckTimer = null;
    var editable = null;

    var toolbarKeys = ["headerSelect", "blockquote", "|", "bold", "italic", "underline", "through", "color", "bgColor",
      "clearStyle", "|", "fontSize", "lineHeight", "|", "bulletedList", "numberedList", "justifyLeft", "justifyCenter",
      "justifyRight", "indent", "delIndent", "|", "insertLink", "insertTable", "divider", "|", "undo", "redo",
      "fullScreen"];
    if (uploadUrl) { toolbarKeys.splice(toolbarKeys.indexOf("insertLink") + 1, 0, "uploadImage"); }

    function sync() {
      if (!editor) { return; }
      var html = editor.isEmpty() ? "" : editor.getHtml();
      textarea.value = (html === initialHtml) ? original : html;
    }

    function scheduleRecheck() {
      var rerun = document.getElementById("check-rerun");
      if (!rerun || rerun.hidden) { return; }
      window.clearTimeout(recheckTimer);
      recheckTimer = window.setTimeout(function () {
        if (textarea.value !== original || rerun.getAttribute("data-dirty")) {
          rerun.setAttribute("data-dirty", "1");
          rerun.click();
        }
      }, 1200);
    }

    var editor = null;
    editor = E.createEditor({
      selector: "#lanmu-editor-text",
      html: original || "<p><br></p>",
      mode: "default",
      config: {
        placeholder: "请输入正文……（可从Word复制粘贴，格式会自动清理）",
        autoFocus: false,
        scroll: true,
        hoverbarKeys: { image: { menuKeys: ["imageWidth30", "imageWidth50", "imageWidth100", "deleteImage"] } },
        MENU_CONF: {
          uploadImage: {
            customBrowseAndUpload: function (insertFn) { imageDialog(uploadUrl, csrfToken, insertFn); }
          },
          insertLink: { checkLink: function (text, url) { return /^(https?:|mailto:|tel:|\/)/i.test(url) ? true : "链接须以 http:// 或 https:// 开头"; } }
        },
        customPaste: function (ed, event) {
          var html = event.clipboardData && event.clipboardData.getData("text/html");
          if (!html) { return true; }  // plain text: the editor's own handling
          event.preventDefault();
          var cleaned = cleanPastedHtml(html);
          if (cleaned) { ed.dangerouslyInsertHtml(cleaned); }
          return false;
        },
        onChange: function () {
          if (initialHtml === null) { return; }
          sync();
          if (editable && strip) { showFindings(editable, strip); }
          scheduleRecheck();
        }
      }
    });
    E.createToolbar({ editor: editor, selector: "#lanmu-editor-toolbar", mode: "default",
                      config: { toolbarKeys: toolbarKeys } });
    initialHtml = editor.isEmpty() ? "" : editor.getHtml();
    document.getElementById("lanmu-editor-box").hidden = false;
    textarea.closest(".mb-3").classList.add("lanmu-editor-source");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    var note = document.querySelector(".lanmu-editor-note");
    if (note) { note.hidden = false; }
    editable = box.querySelector("[data-slate-editor]") || box.querySelector("#lanmu-editor-text");
    window.LanmuEditor.editor = editor;
    editorRef.editor = editor;
    form.addEventListener("submit", sync);
    if (strip) {
      showFindings(editable, strip);
      document.addEventListener("lanmu:checks-updated", function () { showFindings(editable, strip); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
