import { css } from 'lit';

/** Buttons and inputs, shared by every component (shadow DOM does not inherit page styles). */
export const controlStyles = css`
  :host {
    display: block;
    min-width: 0;
    font: inherit;
    color: var(--ms-fg);
  }
  /* .button: a control that looks like one (a details summary). */
  button,
  .button {
    font: inherit;
    font-size: 0.92em;
    padding: 0.3em 0.8em;
    border: 1px solid var(--ms-border-strong);
    border-radius: 3px;
    background: var(--ms-surface);
    color: var(--ms-fg);
    cursor: pointer;
  }
  button:hover:not(:disabled),
  .button:hover {
    background: var(--ms-hover);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button.primary {
    background: var(--ms-accent);
    border-color: var(--ms-accent);
    color: var(--ms-on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--ms-accent-strong);
  }
  input[type='text'],
  input[type='search'],
  input[type='url'],
  input[type='password'],
  textarea {
    font: inherit;
    font-size: 0.92em;
    padding: 0.3em 0.5em;
    border: 1px solid var(--ms-border-strong);
    border-radius: 3px;
    background: var(--ms-surface);
    color: var(--ms-fg);
  }
  .mono {
    font-family: var(--ms-mono, monospace);
  }
  .muted {
    color: var(--ms-muted);
  }
`;

/** A label / value list (`dl`) in two columns, as the image summary and the symbols panel show facts. */
export const factListStyles = css`
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.15em 0.8em;
    margin: 0;
    font-size: 0.92em;
  }
  dt {
    color: var(--ms-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;
