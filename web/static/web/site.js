// Progressive enhancement of the star widget: with JavaScript a click saves the rating through the REST API
// (PUT /api/me/ratings/{movie}/, session cookie and CSRF token) without reloading the page; "Clear" deletes it.
// The watchlist and "not interested" buttons likewise: PUT or DELETE /api/me/watchlist/{movie}/ and
// /api/me/not-interested/{movie}/. Without JavaScript the same forms post to the site and come back to the page.
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

  function send(form, method, body, url) {
    return fetch(url || form.dataset.api, {
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

  // Every count of the user's ratings on the page follows them ("1 rating", "2 ratings"; "12" of a goal).
  function countRated(delta) {
    document.querySelectorAll("[data-rated-count]").forEach(function (counter) {
      var count = Math.max(0, parseInt(counter.dataset.ratedCount, 10) + delta);
      counter.dataset.ratedCount = count;
      var noun = count === 1 ? counter.dataset.one : counter.dataset.many;
      counter.textContent = noun ? count + " " + noun : String(count);
    });
  }

  // The movie page's "We think you'd give it N stars", asked again after each change of the user's ratings.
  function refreshPredicted() {
    var line = document.querySelector(".predicted[data-api]");
    if (!line || !line.dataset.api) return;
    fetch(line.dataset.api, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || data.predicted_rating === null) { line.hidden = true; return; }
        line.hidden = false;
        line.querySelector("strong").textContent = data.predicted_rating.toFixed(1);
      }).catch(function () {});
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
      refreshPredicted();
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
      var wasRated = form.dataset.rated === "1";
      button.hidden = true;
      var row = form.closest(".rated li");
      if (row) row.classList.add("removed");
      if (wasRated) countRated(-1);
      form.dataset.rated = "0";
      refreshPredicted();
    }).catch(function (error) { show(form, error.message, "failed"); });
  });

  var LABELS = {watchlist: ["+ Watchlist", "✓ On your watchlist"],
                not_interested: ["Not interested", "Undo “not interested”"]};
  var API = {watchlist: "watchlist", not_interested: "notInterested"};

  function showMark(form, kind) {
    form.dataset.kind = kind;
    form.querySelectorAll("button[name=set]").forEach(function (button) {
      var own = button.classList.contains("mark-watchlist") ? "watchlist" : "not_interested";
      var on = own === kind;
      button.value = on ? "none" : own;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = LABELS[own][on ? 1 : 0];
    });
    var card = form.closest(".card");
    if (card) {
      card.classList.toggle("marked-watchlist", kind === "watchlist");
      card.classList.toggle("marked-not-interested", kind === "not_interested");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form.mark button[name=set]");
    if (!button) return;
    event.preventDefault();
    var form = button.closest("form.mark"), wanted = button.value, current = form.dataset.kind;
    var status = form.querySelector(".mark-status");
    var request = wanted === "none" ? send(form, "DELETE", null, form.dataset[API[current]])
                                    : send(form, "PUT", null, form.dataset[API[wanted]]);
    request.then(function () {
      showMark(form, wanted === "none" ? "" : wanted);
      status.textContent = wanted === "none" ? "Taken back" : (wanted === "watchlist" ? "Added" : "Out of your picks");
      status.classList.remove("failed");
    }).catch(function (error) { status.textContent = error.message; status.classList.add("failed"); });
  });
})();
