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
  var form = document.querySelector('form[data-draft]');
  if (!form || !window.localStorage) return;
  var key = 'minyi-draft:' + form.getAttribute('data-draft');
  var names = ['body', 'category', 'name', 'mobile', 'address'];
  var status = document.getElementById('draft-status');

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    var draft = {};
    names.forEach(function (name) {
      if (form.elements[name]) draft[name] = form.elements[name].value;
    });
    try {
      localStorage.setItem(key, JSON.stringify(draft));
    } catch (e) {
      /* storage full or refused: the form still works */
    }
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
  }

  form.addEventListener('input', save);
  form.addEventListener('change', save);
  form.addEventListener('submit', function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      save();
      say(form.getAttribute('data-offline'));
      window.addEventListener('online', function () {
        say(form.getAttribute('data-sending'));
        localStorage.removeItem(key);
        form.submit();
      }, { once: true });
      return;
    }
    localStorage.removeItem(key);
  });
})();
