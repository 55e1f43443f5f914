// SPDX-License-Identifier: GPL-2.0
/*
 * nop [ARG...]: exits 0 at once. Linked statically, it is the cheapest
 * program to exec, which tests that start thousands of processes need
 * under an emulated CPU.
 */
int main(void)
{
	return 0;
}
