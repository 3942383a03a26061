// Asks the API under /api (the edge routes it there, same origin: the CSP's connect-src 'self').
document.getElementById("ask").addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = new FormData(event.target).get("q");
    const res = await fetch("/api/query", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ question: q }) });
    document.getElementById("answer").textContent = res.ok ? JSON.stringify(await res.json(), null, 2) : `Error ${res.status}`;
});
