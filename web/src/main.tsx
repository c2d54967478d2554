import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'react-day-picker/style.css';
import { App } from './app/app.js';
import './app/styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
