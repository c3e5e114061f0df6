/** Whether the sign-in dialog is open (the banner, Settings and the signed-out state open it). */
import { create } from 'zustand';

export const useSignInDialog = create<{ shown: boolean; open(): void; close(): void }>((set) => ({
  shown: false,
  open: () => set({ shown: true }),
  close: () => set({ shown: false }),
}));
