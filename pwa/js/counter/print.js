// The paper pass page: a Print button (the browser's own Print works without JavaScript).

const button = document.getElementById("print-button");
if (button && typeof window.print === "function") {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
