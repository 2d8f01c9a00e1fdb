// Progressive enhancement of the star widget: with JavaScript a click saves the rating through the REST API
// (PUT /api/me/ratings/{movie}/, session cookie and CSRF token) without reloading the page; "Clear" deletes it.
// Without JavaScript the same form posts to the site and comes back to the page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(form, text, state) {
    var status = form.querySelector(".rate-status");
    if (!status) return;
    status.textContent = text;
    status.classList.remove("saved", "failed");
    if (state) status.classList.add(state);
  }

  function send(form, method, body) {
    return fetch(form.dataset.api, {
      method: method,
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(form)},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (!response.ok && response.status !== 404) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          throw new Error((data.error && data.error.message) || ("error " + response.status));
        });
      }
      return response;
    });
  }

  function countRated(delta) {
    var counter = document.getElementById("rated-count");
    if (counter) counter.textContent = Math.max(0, parseInt(counter.textContent, 10) + delta);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name !== "value" || !input.closest) return;
    var form = input.closest("form.rate");
    if (!form) return;
    var wasRated = form.dataset.rated === "1";
    show(form, "Saving…");
    send(form, "PUT", {value: parseFloat(input.value)}).then(function () {
      show(form, parseFloat(input.value) + " ★ saved", "saved");
      if (!wasRated) countRated(1);
      form.dataset.rated = "1";
      var clear = form.querySelector(".clear");
      if (clear) clear.hidden = false;
    }).catch(function (error) { show(form, error.message, "failed"); });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form.rate .clear");
    if (!button) return;
    event.preventDefault();
    var form = button.closest("form.rate");
    send(form, "DELETE").then(function () {
      form.querySelectorAll("input[name=value]").forEach(function (radio) { radio.checked = false; });
      show(form, "Cleared", "saved");
      form.dataset.rated = "0";
      button.hidden = true;
      var row = form.closest(".rated li");
      if (row) row.classList.add("removed");
      countRated(-1);
    }).catch(function (error) { show(form, error.message, "failed"); });
  });
})();
