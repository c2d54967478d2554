import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'react-day-picker/style.css';
import { App } from './app/app.js';
import './app/styles.css';

// The server's Content-Security-Policy allows inline <style> only with this response's nonce; Radix's dialogs
// add one while open (react-remove-scroll, through get-nonce).
const styleNonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (styleNonce) setNonce(styleNonce);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
