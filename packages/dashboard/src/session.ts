// The API key lives in sessionStorage only: gone when the tab closes, never in a URL or a
// cookie (a cookie would also be sent with every request, inviting CSRF).
const KEY = "hookline.apiKey";

export const session = {
  read: (): string | null => sessionStorage.getItem(KEY),
  save: (apiKey: string) => sessionStorage.setItem(KEY, apiKey),
  clear: () => sessionStorage.removeItem(KEY),
};
