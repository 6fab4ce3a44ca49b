import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";

// bcrypt (bcryptjs: pure JavaScript, no native build), cost 12.
export const hashPassword = (password: string) => bcrypt.hash(password, 12);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);
export const generatePassword = () => randomBytes(15).toString("base64url");
