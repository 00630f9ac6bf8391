/// The one stylesheet (`/assets/app.css`): pages carry no inline style, so the
/// Content-Security-Policy can forbid it. Works from phone to desktop widths.
public enum Stylesheet {
    public static let css = """
    :root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--stale:#6e7781;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
    *{box-sizing:border-box}
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0;line-height:1.45}
    header.top{background:#24292f;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline}
    header.top a{color:#fff;text-decoration:none}header.top .brand{font-weight:700;font-size:1.1rem}
    header.top .account{margin-left:auto;display:flex;gap:.5rem;align-items:baseline}
    form.inline{display:inline}form.inline button{font:inherit;font-size:.85rem}
    form.actions{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .8rem;margin:.6rem 0}
    form.actions select,form.actions textarea,form.actions button{font:inherit;margin:.25rem 0;max-width:100%}
    form.actions textarea{width:100%}
    main{max-width:72rem;margin:0 auto;padding:1rem}
    h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
    .muted{color:var(--muted)}.small{font-size:.85rem}
    table{border-collapse:collapse;width:100%}th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
    th{background:var(--bg)}
    .scroll{overflow-x:auto}
    .matrix td{min-width:7rem}
    .state{font-weight:600}
    .state-healthy,.exp-operational{color:var(--ok)}.state-degraded,.exp-degraded{color:var(--warn)}
    .state-failing,.exp-disrupted{color:var(--bad)}.state-stale,.state-no-data,.exp-unknown{color:var(--stale)}
    td.cell-failing{background:#ffebe9}td.cell-degraded{background:#fff8c5}td.cell-stale{background:#eaeef2}td.cell-healthy{background:#dafbe1}
    .badge{display:inline-block;padding:.05rem .45rem;border-radius:1rem;font-size:.8rem;border:1px solid var(--line)}
    .badge-open{background:#ffebe9;border-color:#ff818266}.badge-resolved{background:#dafbe1}
    .workaround{border-left:4px solid var(--ok);background:#dafbe1;padding:.6rem .8rem;margin:1rem 0}
    .banner{padding:.8rem 1rem;border-radius:.4rem;margin:1rem 0;font-weight:600}
    .banner-ok{background:#dafbe1}.banner-bad{background:#ffebe9}.banner-unknown{background:#eaeef2}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
    ol.timeline{padding-left:1.2rem}ol.timeline li{margin:.2rem 0}
    .chart{width:100%;max-width:720px;height:auto;display:block;margin:.5rem 0}
    .chart .plot{fill:#fff;stroke:var(--line)}.chart .grid{stroke:var(--line);stroke-dasharray:2 3}
    .chart .incident-window{fill:#ff818233}.chart .observed{fill:none;stroke:#0969da;stroke-width:1.6}
    .chart .expected{fill:none;stroke:#8c959f;stroke-width:1.2;stroke-dasharray:5 4}
    .chart .axis{font-size:11px;fill:var(--muted)}.chart .chart-title{font-size:12px;fill:var(--ink);font-weight:600}
    .days{display:flex;gap:2px;flex-wrap:wrap}.day{width:.8rem;height:1.6rem;border-radius:2px;background:#2da44e}
    .day-incident{background:#cf222e}.day-nodata{background:#d0d7de}
    form.stack label{display:block;margin-top:.8rem;font-weight:600}
    form.stack select,form.stack textarea,form.stack button,form.stack input{font:inherit;width:100%;max-width:32rem;margin-top:.25rem}
    form.stack button{display:block;margin-top:1rem;padding:.45rem}
    footer{max-width:72rem;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.85rem}
    @media (max-width:40rem){main{padding:.6rem}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.4rem}h1{font-size:1.25rem}}
    """
}
