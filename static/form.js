// The citizen's form on a weak connection. Without JavaScript the form works as
// it is; with it, what is typed is kept in this phone's storage (a reload or a
// lost page does not lose it), and a form sent while offline waits here and is
// sent by itself when the connection returns (its client token makes a second
// sending harmless).
(function () {
  'use strict';
  // After sending: a button copies the tracking code (shown only where the browser can).
  var copy = document.getElementById('copy-code');
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', function () {
      var code = document.getElementById('tracking-code').textContent.trim();
      navigator.clipboard.writeText(code).then(function () {
        document.getElementById('copy-status').textContent = copy.getAttribute('data-copied');
      });
    });
  }
  // With the citizen's consent, the phone's position fills two hidden fields.
  var locate = document.getElementById('locate');
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    document.getElementById('locate-button').addEventListener('click', function () {
      var said = document.getElementById('locate-status');
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('f-latitude').value = p.coords.latitude.toFixed(6);
        document.getElementById('f-longitude').value = p.coords.longitude.toFixed(6);
        said.textContent = locate.getAttribute('data-found');
      }, function () {
        said.textContent = locate.getAttribute('data-failed');
      }, { timeout: 15000 });
    });
  }
  // Recording a voice message in the browser, where it can: the recording becomes
  // the file of the voice input, which stays for a file recorded elsewhere.
  var recorder = document.getElementById('recorder');
  var voice = document.getElementById('f-voice');
  if (recorder && voice && window.MediaRecorder && window.DataTransfer && navigator.mediaDevices) {
    recorder.hidden = false;
    var start = document.getElementById('record-start');
    var stop = document.getElementById('record-stop');
    var told = document.getElementById('record-status');
    var running = null;
    start.addEventListener('click', function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var types = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];
        var type = types.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
        running = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
        var chunks = [];
        running.ondataavailable = function (e) { chunks.push(e.data); };
        running.onstop = function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var mime = running.mimeType || 'audio/webm';
          var ext = mime.indexOf('mp4') >= 0 ? 'm4a' : mime.indexOf('ogg') >= 0 ? 'ogg' : 'webm';
          var list = new DataTransfer();
          list.items.add(new File(chunks, 'voice.' + ext, { type: mime }));
          voice.files = list.files;
          told.textContent = recorder.getAttribute('data-done');
          start.disabled = false;
          stop.disabled = true;
        };
        running.start();
        told.textContent = recorder.getAttribute('data-recording');
        start.disabled = true;
        stop.disabled = false;
      }, function () {
        told.textContent = recorder.getAttribute('data-failed');
      });
    });
    stop.addEventListener('click', function () {
      if (running && running.state === 'recording') running.stop();
    });
  }
  var form = document.querySelector('form[data-draft]');
  if (!form || !window.localStorage) return;
  var key = 'minyi-draft:' + form.getAttribute('data-draft');
  var names = ['body', 'category', 'name', 'mobile', 'address'];
  var status = document.getElementById('draft-status');

  function say(text) {
    if (status) status.textContent = text;
  }

  // `pending`: the citizen pressed 提交 while offline; the draft then keeps the form's
  // client token, so sending it later (even from a reopened page) makes one case.
  function save(pending) {
    var draft = {};
    names.forEach(function (name) {
      if (form.elements[name]) draft[name] = form.elements[name].value;
    });
    if (pending === true && form.elements.client_token) {
      draft.pending = true;
      draft.token = form.elements.client_token.value;
    }
    try {
      localStorage.setItem(key, JSON.stringify(draft));
    } catch (e) {
      /* storage full or refused: the form still works */
    }
  }

  function sendWhenOnline() {
    window.addEventListener('online', function () {
      say(form.getAttribute('data-sending'));
      localStorage.removeItem(key);
      form.submit();
    }, { once: true });
  }

  // Files cannot be kept in the draft: a form with photos or a voice message waits
  // only while its page stays open.
  function hasFiles() {
    return Array.prototype.some.call(form.querySelectorAll('input[type=file]'), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  var saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(key) || 'null');
  } catch (e) {
    saved = null;
  }
  var typed = names.some(function (name) {
    var field = form.elements[name];
    return field && field.type !== 'select-one' && field.value;
  });
  if (saved && !typed) {
    var restored = false;
    names.forEach(function (name) {
      if (form.elements[name] && saved[name]) {
        form.elements[name].value = saved[name];
        restored = true;
      }
    });
    if (restored) say(form.getAttribute('data-restored'));
    if (saved.pending && saved.token && form.elements.client_token) {
      // Sent offline from a page since closed: send it now, with its own token.
      form.elements.client_token.value = saved.token;
      if (form.elements.consent) form.elements.consent.checked = true;
      if (navigator.onLine === false) {
        say(form.getAttribute('data-offline'));
        sendWhenOnline();
      } else {
        say(form.getAttribute('data-sending'));
        localStorage.removeItem(key);
        form.submit();
      }
    }
  }

  form.addEventListener('input', function () { save(false); });
  form.addEventListener('change', function () { save(false); });
  form.addEventListener('submit', function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      var files = hasFiles();
      save(!files);
      say(form.getAttribute(files ? 'data-offline-files' : 'data-offline'));
      sendWhenOnline();
      return;
    }
    localStorage.removeItem(key);
  });
})();
